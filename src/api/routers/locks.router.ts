import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { requireActor } from '../actor-from-request.js';
import { assertAtlantisToken, atlantisOk } from '../envelopes/atlantis.js';
import type { Actor } from '../../core/actor.js';
import { lockJson } from '../../core/locks/locks.service.js';
import { ListLocksQuery } from '../../core/locks/lock.schemas.js';
import { lockAtlantisJson } from '../presenters/runs.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

/**
 * Project locks: the v1 API (authenticated) and Atlantis's GET /api/locks in the default tenant,
 * unauthenticated as in Atlantis unless ATLANTAS_LOCKS_REQUIRE_AUTH asks for X-Atlantis-Token.
 */
export function locksRouter(core: Core, atlantis: { actor: () => Actor; requireToken: boolean; secret?: string }) {
  const router = new Router<AppState>();
  const auth = requireActor(core);

  router.get('/api/v1/locks', auth, async (ctx) => {
    const q = parse(ListLocksQuery, ctx.query);
    ctx.body = (await core.locks.list(ctx.state.actor, { repoFullName: q.repo })).map(lockJson);
  });
  router.delete('/api/v1/locks/:id', auth, async (ctx) => {
    ctx.body = lockJson(await core.locks.unlock(ctx.state.actor, ctx.params.id));
  });
  router.get('/api/locks', async (ctx) => {
    if (atlantis.requireToken) assertAtlantisToken(ctx.get('x-atlantis-token'), atlantis.secret);
    const locks = (await core.locks.list(atlantis.actor())).map(lockAtlantisJson);
    ctx.body = atlantisOk({ locks, total_count: locks.length }, ctx.state.requestId);
  });
  return router;
}
