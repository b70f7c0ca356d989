import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { LogsQuery, MetricsQuery, TracesQuery } from '../../core/observability/observability.schemas.js';
import { requireAtlasaiActor } from '../atlasai-actor.js';
import { atlasaiOk } from '../envelopes/atlasai.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

/**
 * AtlasAI's observability endpoints (atlasai-api.txt "Observability") over Atlantas's own data:
 * GET /api/logs, GET /api/metrics/query, GET /api/traces. Authenticated per route: the prefix
 * /api is shared with the Atlantis API and the other AtlasAI routers.
 */
export function observabilityRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api' });
  const auth = requireAtlasaiActor(core);
  router.get('/logs', auth, async (ctx) => {
    ctx.body = atlasaiOk(await core.observability.logs(ctx.state.actor, parse(LogsQuery, ctx.query)));
  });
  router.get('/metrics/query', auth, async (ctx) => {
    ctx.body = atlasaiOk(await core.observability.metrics(ctx.state.actor, parse(MetricsQuery, ctx.query)));
  });
  router.get('/traces', auth, async (ctx) => {
    ctx.body = atlasaiOk(await core.observability.traces(ctx.state.actor, parse(TracesQuery, ctx.query)));
  });
  return router;
}
