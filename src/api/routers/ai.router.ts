import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { CopilotQueryInput, RcaInput } from '../../core/rca/ai.schemas.js';
import { GenerateRunbookInput } from '../../core/runbooks/runbook.schemas.js';
import { requireAtlasaiActor } from '../atlasai-actor.js';
import { atlasaiOk } from '../envelopes/atlasai.js';
import { copilotJson, rcaJson, runbookJson } from '../presenters/ai.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

/**
 * AtlasAI's AI endpoints (atlasai-api.txt "AI") in its `{ data }` envelope: POST /api/rca,
 * POST /api/copilot/query, POST /api/ai/control/generate-runbook (a draft runbook, 201).
 */
export function aiRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api' });
  const auth = requireAtlasaiActor(core);
  router.post('/rca', auth, async (ctx) => {
    ctx.body = atlasaiOk(rcaJson(await core.rca.analyze(ctx.state.actor, parse(RcaInput, ctx.request.body).incident_id)));
  });
  router.post('/copilot/query', auth, async (ctx) => {
    ctx.body = atlasaiOk(copilotJson(await core.copilot.query(ctx.state.actor, parse(CopilotQueryInput, ctx.request.body))));
  });
  router.post('/ai/control/generate-runbook', auth, async (ctx) => {
    const { runbook, source, note } = await core.runbookDrafter.generate(ctx.state.actor, parse(GenerateRunbookInput, ctx.request.body));
    ctx.status = 201;
    ctx.body = atlasaiOk({ runbook: runbookJson(runbook), source, note: note ?? null });
  });
  return router;
}
