import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { SetRoleInput } from '../../core/auth/auth.schemas.js';
import type { Role } from '../../core/actor.js';
import { requireActor } from '../actor-from-request.js';
import { userJson } from '../presenters/v1.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

export function usersRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/users' });
  router.use(requireActor(core));

  router.get('/', async (ctx) => {
    ctx.body = (await core.users.list(ctx.state.actor)).map(userJson);
  });
  router.patch('/:id/role', async (ctx) => {
    const { role } = parse(SetRoleInput, ctx.request.body);
    ctx.body = userJson(await core.users.setRole(ctx.state.actor, ctx.params.id, role as Role));
  });
  router.delete('/:id', async (ctx) => {
    ctx.body = userJson(await core.users.deactivate(ctx.state.actor, ctx.params.id));
  });
  return router;
}
