import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import type { TfeVariableView } from '../../core/tfe/tfe-variables.service.js';
import { VariableDocument } from '../../core/tfe/tfe.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { pagination, send, type Resource } from './jsonapi.js';

/** Workspace variables (`vars`): a sensitive value is never in any answer. */
export function tfeVariablesRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v2/workspaces/:id/vars' });
  const vars = core.tfe.variables;
  router.use(requireActor(core, 'tfe'));

  router.get('/', async (ctx) => {
    const list = await vars.list(ctx.state.actor, ctx.params.id);
    send(ctx, 200, list.map(variableResource), { meta: { pagination: pagination(1, Math.max(list.length, 1), list.length) } });
  });
  router.post('/', async (ctx) => {
    send(ctx, 201, variableResource(await vars.create(ctx.state.actor, ctx.params.id, parse(VariableDocument, ctx.request.body).data.attributes)));
  });
  router.patch('/:varId', async (ctx) => {
    send(ctx, 200, variableResource(await vars.update(ctx.state.actor, ctx.params.id, ctx.params.varId, parse(VariableDocument, ctx.request.body).data.attributes)));
  });
  router.delete('/:varId', async (ctx) => {
    await vars.delete(ctx.state.actor, ctx.params.id, ctx.params.varId);
    ctx.status = 204;
  });
  return router;
}

function variableResource(v: TfeVariableView): Resource {
  return {
    id: v.id,
    type: 'vars',
    attributes: { key: v.key, value: v.value, category: v.category, hcl: v.hcl, sensitive: v.sensitive, description: v.description, 'version-id': v.updatedAt.getTime().toString(36) },
    relationships: { configurable: { data: { id: v.workspaceId, type: 'workspaces' } } },
    links: { self: `/api/v2/workspaces/${v.workspaceId}/vars/${v.id}` },
  };
}
