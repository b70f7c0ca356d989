import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { ListUsersQuery, SetRoleInput } from '../../core/auth/auth.schemas.js';
import type { Role } from '../../core/actor.js';
import { requireActor } from '../actor-from-request.js';
import { pagingHeaders } from '../presenters/paging.js';
import { userJson } from '../presenters/v1.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

export function usersRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/users' });
  router.use(requireActor(core));

  router.get('/', async (ctx) => {
    const q = parse(ListUsersQuery, ctx.query);
    const { users, total } = await core.users.list(ctx.state.actor, {
      role: q.role as Role | undefined, isActive: q.active === undefined ? undefined : q.active === 'true', limit: q.per_page, offset: (q.page - 1) * q.per_page,
    });
    const more = q.page * q.per_page < total;
    ctx.set(pagingHeaders(ctx.path, ctx.querystring, { page: q.page, perPage: q.per_page, total, nextCursor: null }));
    if (more) ctx.set('Link', `<${ctx.path}?${nextPage(ctx.querystring, q.page + 1)}>; rel="next"`);
    ctx.body = users.map(userJson);
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

function nextPage(querystring: string, page: number): string {
  const next = new URLSearchParams(querystring);
  next.set('page', String(page));
  return next.toString();
}
