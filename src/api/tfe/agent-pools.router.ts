import Router from '@koa/router';
import { AgentPoolDocument, AgentTokenDocument } from '../../core/tfe/tfe-agent-pool.schemas.js';
import type { Core } from '../../core/index.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { agentPoolResource, agentTokenResource } from './agent-presenters.js';
import { send } from './jsonapi.js';

/** TFE agent pools (= runner pools) and their authentication tokens (= join tokens, shown once). */
export function tfeAgentPoolsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v2' });
  const pools = core.tfe.agentPools;
  const auth = requireActor(core, 'tfe');

  router.get('/organizations/:org/agent-pools', auth, async (ctx) => {
    send(ctx, 200, (await pools.list(ctx.state.actor, ctx.params.org)).map(agentPoolResource));
  });
  router.post('/organizations/:org/agent-pools', auth, async (ctx) => {
    const name = parse(AgentPoolDocument, ctx.request.body).data.attributes.name;
    send(ctx, 201, agentPoolResource(await pools.create(ctx.state.actor, ctx.params.org, name)));
  });
  router.get('/agent-pools/:id', auth, async (ctx) => {
    send(ctx, 200, agentPoolResource(await pools.get(ctx.state.actor, ctx.params.id)));
  });
  router.delete('/agent-pools/:id', auth, async (ctx) => {
    await pools.delete(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  router.post('/agent-pools/:id/authentication-tokens', auth, async (ctx) => {
    const description = parse(AgentTokenDocument, ctx.request.body ?? {}).data.attributes.description || 'agent token';
    const { token, raw } = await pools.createToken(ctx.state.actor, ctx.params.id, description);
    send(ctx, 201, agentTokenResource(token, raw));
  });
  router.get('/agent-pools/:id/authentication-tokens', auth, async (ctx) => {
    send(ctx, 200, (await pools.listTokens(ctx.state.actor, ctx.params.id)).map((t) => agentTokenResource(t)));
  });
  return router;
}
