import Router from '@koa/router';
import { ListDriftQuery } from '../../core/drift/drift.schemas.js';
import type { Core } from '../../core/index.js';
import { requireActor } from '../actor-from-request.js';
import { driftRecordJson } from '../presenters/drift.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

/** Atlantas v1 drift: the records, and an environment's drift-check / drift-resolve (atlantas-api.txt "Environments"). */
export function driftRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1' });
  const auth = requireActor(core); // per route: this router's prefix is shared with every other v1 router

  router.get('/drift', auth, async (ctx) => {
    const q = parse(ListDriftQuery, ctx.query);
    const filter = { projectName: q.project, repoFullName: q.repository, workspace: q.workspace, environmentId: q.environment, hasDrift: q.has_drift };
    ctx.body = (await core.drift.list(ctx.state.actor, filter)).map((r) => driftRecordJson(r));
  });
  router.get('/drift/:id', auth, async (ctx) => {
    const { record, history } = await core.drift.get(ctx.state.actor, ctx.params.id);
    ctx.body = driftRecordJson(record, history);
  });
  // The check runs terraform: it is queued and answered at once; GET /api/v1/drift shows it `checking`, then its result.
  router.post('/environments/:id/drift-check', auth, async (ctx) => {
    const started = await core.drift.begin(ctx.state.actor, { kind: 'environment', environmentId: ctx.params.id });
    ctx.body = { detail: 'Drift check initiated', environment_id: ctx.params.id, check_id: started.checkId, records: started.records.map((r) => driftRecordJson(r)) };
    ctx.status = 202;
  });
  router.post('/environments/:id/drift-resolve', auth, async (ctx) => {
    const records = await core.drift.resolveEnvironment(ctx.state.actor, ctx.params.id);
    ctx.body = { detail: 'Drift marked as resolved', environment_id: ctx.params.id, records: records.map((r) => driftRecordJson(r)) };
  });
  return router;
}
