import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { CreateRunbookInput, ExecuteRunbookInput, ListRunbooksQuery, UpdateRunbookInput } from '../../core/runbooks/runbook.schemas.js';
import { requireAtlasaiActor } from '../atlasai-actor.js';
import { atlasaiOk } from '../envelopes/atlasai.js';
import { executionJson, runbookJson } from '../presenters/ai.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

/**
 * AtlasAI's /api/runbooks: list (status, limit, offset), create, get, update (back to draft),
 * publish, execute `{ incident_id, dry_run }`, the executions of a runbook, and resuming one that
 * waits for a person once they acted.
 */
export function runbooksRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/runbooks' });
  router.use(requireAtlasaiActor(core));
  router.get('/', async (ctx) => {
    const page = await core.runbooks.list(ctx.state.actor, parse(ListRunbooksQuery, { ...ctx.query }));
    ctx.body = atlasaiOk({ ...page, items: page.items.map(runbookJson) });
  });
  router.post('/', async (ctx) => {
    ctx.status = 201;
    ctx.body = atlasaiOk(runbookJson(await core.runbooks.create(ctx.state.actor, parse(CreateRunbookInput, ctx.request.body))));
  });
  router.get('/:id', async (ctx) => {
    ctx.body = atlasaiOk(runbookJson(await core.runbooks.get(ctx.state.actor, ctx.params.id)));
  });
  router.patch('/:id', async (ctx) => {
    ctx.body = atlasaiOk(runbookJson(await core.runbooks.update(ctx.state.actor, ctx.params.id, parse(UpdateRunbookInput, ctx.request.body))));
  });
  router.post('/:id/publish', async (ctx) => {
    ctx.body = atlasaiOk(runbookJson(await core.runbooks.publish(ctx.state.actor, ctx.params.id)));
  });
  router.post('/:id/execute', async (ctx) => {
    const execution = await core.runbooks.execute(ctx.state.actor, ctx.params.id, parse(ExecuteRunbookInput, ctx.request.body ?? {}));
    ctx.status = execution.dryRun ? 200 : 201;
    ctx.body = atlasaiOk(executionJson(execution));
  });
  router.post('/:id/executions/:executionId/resume', async (ctx) => {
    ctx.body = atlasaiOk(executionJson(await core.runbooks.resume(ctx.state.actor, ctx.params.id, ctx.params.executionId)));
  });
  router.get('/:id/executions', async (ctx) => {
    ctx.body = atlasaiOk({ items: (await core.runbooks.executions(ctx.state.actor, ctx.params.id)).map(executionJson) });
  });
  return router;
}
