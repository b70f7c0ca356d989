import Router from '@koa/router';
import type { Actor } from '../../core/actor.js';
import type { Core } from '../../core/index.js';
import type { TfeRunTrigger } from '../../core/tfe/tfe-run.repository.js';
import { RunTriggerDocument } from '../../core/tfe/tfe.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { type Resource, send, sendAll } from './jsonapi.js';
import { runTriggerResource } from './run-presenters.js';
import { queryParam } from './tfe-context.js';

/** Run triggers: a downstream workspace's runs queued by its source workspaces' applies. */
export function tfeRunTriggersRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v2' });
  const runs = core.tfe.runs;
  router.use(requireActor(core, 'tfe'));

  const render = async (actor: Actor, t: TfeRunTrigger): Promise<Resource> => {
    const [ws, source] = await Promise.all([core.tfe.workspaces.require(actor, t.workspaceId), core.tfe.workspaces.require(actor, t.sourceableId)]);
    return runTriggerResource(t, { workspace: ws.name, sourceable: source.name });
  };

  router.post('/workspaces/:id/run-triggers', async (ctx) => {
    const sourceable = parse(RunTriggerDocument, ctx.request.body).data.relationships.sourceable.data.id;
    send(ctx, 201, await render(ctx.state.actor, await runs.createTrigger(ctx.state.actor, ctx.params.id, sourceable)));
  });
  router.get('/workspaces/:id/run-triggers', async (ctx) => {
    const list = await runs.listTriggers(ctx.state.actor, ctx.params.id, queryParam(ctx, 'filter[run-trigger][type]'));
    sendAll(ctx, await Promise.all(list.map((t) => render(ctx.state.actor, t))));
  });
  router.get('/run-triggers/:id', async (ctx) => {
    send(ctx, 200, await render(ctx.state.actor, await runs.getTrigger(ctx.state.actor, ctx.params.id)));
  });
  router.delete('/run-triggers/:id', async (ctx) => {
    await runs.deleteTrigger(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  return router;
}
