import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { requireActor } from '../actor-from-request.js';
import { atlantisOk } from '../envelopes/atlantis.js';
import { lockJson } from '../../core/locks/locks.service.js';
import { lockAtlantisJson } from '../presenters/runs.js';
import type { AppState } from '../types.js';

/** Project locks: the v1 API (authenticated) and Atlantis's GET /api/locks (no auth, default tenant). */
export function locksRouter(core: Core, defaultTenantActor: () => Promise<import('../../core/actor.js').Actor>) {
  const router = new Router<AppState>();
  const auth = requireActor(core);

  router.get('/api/v1/locks', auth, async (ctx) => {
    ctx.body = (await core.locks.list(ctx.state.actor, { repoFullName: ctx.query.repo as string | undefined })).map(lockJson);
  });
  router.delete('/api/v1/locks/:id', auth, async (ctx) => {
    ctx.body = lockJson(await core.locks.unlock(ctx.state.actor, ctx.params.id));
  });
  router.get('/api/locks', async (ctx) => {
    const locks = (await core.locks.list(await defaultTenantActor())).map(lockAtlantisJson);
    ctx.body = atlantisOk({ locks, total_count: locks.length }, ctx.state.requestId);
  });
  return router;
}
