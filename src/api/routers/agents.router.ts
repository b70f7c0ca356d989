import Router from '@koa/router';
import { CreateAgentInput, ListExecutionsQuery, UpdateAgentInput } from '../../core/agents/agent.schemas.js';
import type { Core } from '../../core/index.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { agentJson, executionJson } from './agents.resources.js';

/** /api/v1/agents: the cron agents of the caller's tenant; every rule is in core.agents. */
export function agentsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/agents' });
  router.use(requireActor(core));

  router.get('/', async (ctx) => {
    ctx.body = (await core.agents.list(ctx.state.actor)).map(agentJson);
  });
  router.post('/', async (ctx) => {
    ctx.body = agentJson(await core.agents.create(ctx.state.actor, parse(CreateAgentInput, ctx.request.body)));
    ctx.status = 201;
  });
  router.get('/:id', async (ctx) => {
    ctx.body = agentJson(await core.agents.get(ctx.state.actor, ctx.params.id));
  });
  router.patch('/:id', async (ctx) => {
    ctx.body = agentJson(await core.agents.update(ctx.state.actor, ctx.params.id, parse(UpdateAgentInput, ctx.request.body)));
  });
  router.delete('/:id', async (ctx) => {
    await core.agents.delete(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  router.post('/:id/activate', async (ctx) => {
    ctx.body = agentJson(await core.agents.activate(ctx.state.actor, ctx.params.id));
  });
  router.post('/:id/deactivate', async (ctx) => {
    ctx.body = agentJson(await core.agents.deactivate(ctx.state.actor, ctx.params.id));
  });
  // 202: the execution runs on; GET /{id}/executions shows how it ended.
  router.post('/:id/trigger', async (ctx) => {
    ctx.body = executionJson(await core.agents.trigger(ctx.state.actor, ctx.params.id));
    ctx.status = 202;
  });
  router.get('/:id/executions', async (ctx) => {
    const { limit } = parse(ListExecutionsQuery, ctx.query);
    ctx.body = (await core.agents.executions(ctx.state.actor, ctx.params.id, limit)).map(executionJson);
  });
  return router;
}
