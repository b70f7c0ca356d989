import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { CreateEnvironmentInput, UpdateEnvironmentInput } from '../../core/environments/environment.schemas.js';
import { requireActor } from '../actor-from-request.js';
import { environmentJson } from '../presenters/v1.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

export function environmentsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/environments' });
  router.use(requireActor(core));

  router.get('/', async (ctx) => {
    ctx.body = (await core.environments.list(ctx.state.actor)).map(environmentJson);
  });
  router.post('/', async (ctx) => {
    ctx.body = environmentJson(await core.environments.create(ctx.state.actor, parse(CreateEnvironmentInput, ctx.request.body)));
    ctx.status = 201;
  });
  router.get('/:id', async (ctx) => {
    ctx.body = environmentJson(await core.environments.get(ctx.state.actor, ctx.params.id));
  });
  router.patch('/:id', async (ctx) => {
    ctx.body = environmentJson(await core.environments.update(ctx.state.actor, ctx.params.id, parse(UpdateEnvironmentInput, ctx.request.body)));
  });
  router.delete('/:id', async (ctx) => {
    await core.environments.delete(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  return router;
}
