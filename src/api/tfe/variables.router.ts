import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import type { TfeVariableView } from '../../core/tfe/tfe-variables.service.js';
import type { TfeVarsetView } from '../../core/tfe/tfe-varsets.service.js';
import { VariableDocument, VarsetDocument, WorkspaceRefsDocument } from '../../core/tfe/tfe.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { InputError } from '../../core/errors.js';
import { parse } from '../validate.js';
import { type Resource, send, sendAll } from './jsonapi.js';
import { iso } from '../presenters/iso.js';

/** A bad variable or set document is TFC's 422 (go-tfe's validation error), not the generic 400. */
function parse422<S extends Parameters<typeof parse>[0]>(schema: S, body: unknown, code: string): ReturnType<typeof parse<S>> {
  try {
    return parse(schema, body);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.message, { code, issues: err.issues });
    throw err;
  }
}

/** Workspace variables (`vars`) and variable sets (`varsets`): a sensitive value is never in any answer. */
export function tfeVariablesRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v2' });
  const vars = core.tfe.variables;
  const sets = core.tfe.varsets;
  router.use(requireActor(core, 'tfe'));
  const attributes = (body: unknown) => parse422(VariableDocument, body, 'variable_invalid').data.attributes;

  router.get('/workspaces/:id/vars', async (ctx) => {
    sendAll(ctx, (await vars.list(ctx.state.actor, ctx.params.id)).map(variableResource));
  });
  router.post('/workspaces/:id/vars', async (ctx) => {
    send(ctx, 201, variableResource(await vars.create(ctx.state.actor, ctx.params.id, attributes(ctx.request.body))));
  });
  router.patch('/workspaces/:id/vars/:varId', async (ctx) => {
    send(ctx, 200, variableResource(await vars.update(ctx.state.actor, ctx.params.id, ctx.params.varId, attributes(ctx.request.body))));
  });
  router.delete('/workspaces/:id/vars/:varId', async (ctx) => {
    await vars.delete(ctx.state.actor, ctx.params.id, ctx.params.varId);
    ctx.status = 204;
  });
  router.patch('/vars/:varId', async (ctx) => {
    send(ctx, 200, variableResource(await vars.updateById(ctx.state.actor, ctx.params.varId, attributes(ctx.request.body))));
  });
  router.delete('/vars/:varId', async (ctx) => {
    await vars.deleteById(ctx.state.actor, ctx.params.varId);
    ctx.status = 204;
  });

  router.get('/organizations/:org/varsets', async (ctx) => {
    sendAll(ctx, (await sets.list(ctx.state.actor, ctx.params.org)).map(varsetResource));
  });
  router.get('/workspaces/:id/varsets', async (ctx) => {
    sendAll(ctx, (await sets.forWorkspace(ctx.state.actor, ctx.params.id)).map(varsetResource));
  });
  router.post('/organizations/:org/varsets', async (ctx) => {
    const doc = parse422(VarsetDocument, ctx.request.body, 'varset_invalid').data;
    const created = await sets.create(ctx.state.actor, ctx.params.org, {
      ...doc.attributes, workspaceIds: doc.relationships?.workspaces?.data.map((w) => w.id),
    }, doc.relationships?.vars?.data.map((v) => v.attributes) ?? []);
    send(ctx, 201, varsetResource(created));
  });
  router.get('/varsets/:id', async (ctx) => {
    send(ctx, 200, varsetResource(await sets.get(ctx.state.actor, ctx.params.id)));
  });
  router.patch('/varsets/:id', async (ctx) => {
    const doc = parse422(VarsetDocument, ctx.request.body, 'varset_invalid').data;
    send(ctx, 200, varsetResource(await sets.update(ctx.state.actor, ctx.params.id, { ...doc.attributes, workspaceIds: doc.relationships?.workspaces?.data.map((w) => w.id) })));
  });
  router.delete('/varsets/:id', async (ctx) => {
    await sets.delete(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  router.get('/varsets/:id/relationships/vars', async (ctx) => {
    sendAll(ctx, (await sets.listVars(ctx.state.actor, ctx.params.id)).map(variableResource));
  });
  router.post('/varsets/:id/relationships/vars', async (ctx) => {
    send(ctx, 201, variableResource(await sets.createVar(ctx.state.actor, ctx.params.id, attributes(ctx.request.body))));
  });
  router.patch('/varsets/:id/relationships/vars/:varId', async (ctx) => {
    send(ctx, 200, variableResource(await sets.updateVar(ctx.state.actor, ctx.params.id, ctx.params.varId, attributes(ctx.request.body))));
  });
  router.delete('/varsets/:id/relationships/vars/:varId', async (ctx) => {
    await sets.deleteVar(ctx.state.actor, ctx.params.id, ctx.params.varId);
    ctx.status = 204;
  });
  router.post('/varsets/:id/relationships/workspaces', async (ctx) => {
    await sets.attach(ctx.state.actor, ctx.params.id, parse(WorkspaceRefsDocument, ctx.request.body).data.map((w) => w.id));
    ctx.status = 204;
  });
  router.delete('/varsets/:id/relationships/workspaces', async (ctx) => {
    await sets.detach(ctx.state.actor, ctx.params.id, parse(WorkspaceRefsDocument, ctx.request.body).data.map((w) => w.id));
    ctx.status = 204;
  });
  return router;
}

function variableResource(v: TfeVariableView): Resource {
  const configurable = v.workspaceId ? { id: v.workspaceId, type: 'workspaces' } : { id: v.varsetId!, type: 'varsets' };
  return {
    id: v.id,
    type: 'vars',
    attributes: { key: v.key, value: v.value, category: v.category, hcl: v.hcl, sensitive: v.sensitive, description: v.description, 'version-id': v.updatedAt.getTime().toString(36) },
    relationships: v.workspaceId ? { configurable: { data: configurable } } : { varset: { data: configurable } },
    links: { self: v.workspaceId ? `/api/v2/workspaces/${v.workspaceId}/vars/${v.id}` : `/api/v2/varsets/${v.varsetId}/relationships/vars/${v.id}` },
  };
}

function varsetResource(s: TfeVarsetView): Resource {
  return {
    id: s.id,
    type: 'varsets',
    attributes: {
      name: s.name, description: s.description, global: s.global, priority: s.priority, 'updated-at': iso(s.updatedAt),
      'var-count': s.vars.length, 'workspace-count': s.workspaceIds.length, 'project-count': 0,
    },
    relationships: {
      organization: { data: { id: s.organization, type: 'organizations' } },
      workspaces: { data: s.workspaceIds.map((id) => ({ id, type: 'workspaces' })) },
      projects: { data: [] },
      vars: { data: s.vars.map((v) => ({ id: v.id, type: 'vars' })) },
    },
  };
}
