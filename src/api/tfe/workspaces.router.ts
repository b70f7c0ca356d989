import Router from '@koa/router';
import type Koa from 'koa';
import type { Core } from '../../core/index.js';
import { LockDocument, TagsDocument, WorkspaceDocument, workspaceSettings } from '../../core/tfe/tfe.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { pagination, send } from './jsonapi.js';
import { workspaceResource } from './presenters.js';
import { pageOf, queryParam } from './tfe-context.js';

/** TFE workspaces: list, show by name or id, create, update, delete, lock/unlock/force-unlock, legacy tags. */
export function tfeWorkspacesRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v2' });
  const ws = core.tfe.workspaces;
  router.use(requireActor(core, 'tfe'));

  router.get('/organizations/:org/workspaces', async (ctx) => {
    const { page, size } = pageOf(ctx);
    const tags = queryParam(ctx, 'search[tags]')?.split(',').map((t) => t.trim()).filter(Boolean);
    const result = await ws.list(ctx.state.actor, ctx.params.org, { name: queryParam(ctx, 'search[name]'), tags, page, size });
    send(ctx, 200, result.items.map(workspaceResource), { meta: { pagination: pagination(page, size, result.total) } });
  });
  router.get('/organizations/:org/workspaces/:name', async (ctx) => {
    send(ctx, 200, workspaceResource(await ws.getByName(ctx.state.actor, ctx.params.org, ctx.params.name)));
  });
  router.post('/organizations/:org/workspaces', async (ctx) => {
    send(ctx, 201, workspaceResource(await ws.create(ctx.state.actor, ctx.params.org, workspaceSettings(parse(WorkspaceDocument, ctx.request.body)))));
  });
  router.delete('/organizations/:org/workspaces/:name', async (ctx) => {
    await ws.delete(ctx.state.actor, { org: ctx.params.org, name: ctx.params.name });
    ctx.status = 204;
  });
  router.post('/organizations/:org/workspaces/:name/actions/safe-delete', async (ctx) => {
    await ws.delete(ctx.state.actor, { org: ctx.params.org, name: ctx.params.name }, { safe: true });
    ctx.status = 204;
  });
  router.get('/workspaces/:id', async (ctx) => {
    send(ctx, 200, workspaceResource(await ws.get(ctx.state.actor, ctx.params.id)));
  });
  router.patch('/workspaces/:id', async (ctx) => {
    send(ctx, 200, workspaceResource(await ws.update(ctx.state.actor, ctx.params.id, workspaceSettings(parse(WorkspaceDocument, ctx.request.body)))));
  });
  router.delete('/workspaces/:id', async (ctx) => {
    await ws.delete(ctx.state.actor, { id: ctx.params.id });
    ctx.status = 204;
  });
  router.post('/workspaces/:id/actions/safe-delete', async (ctx) => {
    await ws.delete(ctx.state.actor, { id: ctx.params.id }, { safe: true });
    ctx.status = 204;
  });
  router.post('/workspaces/:id/actions/lock', async (ctx) => {
    const reason = parse(LockDocument, ctx.request.body ?? {}).data?.attributes?.reason;
    send(ctx, 200, workspaceResource(await ws.lock(ctx.state.actor, ctx.params.id, reason)));
  });
  router.post('/workspaces/:id/actions/unlock', async (ctx) => {
    send(ctx, 200, workspaceResource(await ws.unlock(ctx.state.actor, ctx.params.id)));
  });
  router.post('/workspaces/:id/actions/force-unlock', async (ctx) => {
    send(ctx, 200, workspaceResource(await ws.forceUnlock(ctx.state.actor, ctx.params.id)));
  });
  router.get('/workspaces/:id/relationships/tags', async (ctx) => {
    const w = await ws.get(ctx.state.actor, ctx.params.id);
    send(ctx, 200, w.tags.map((name) => ({ id: name, type: 'tags', attributes: { name } })));
  });
  router.post('/workspaces/:id/relationships/tags', tagsChange(core, 'add'));
  router.delete('/workspaces/:id/relationships/tags', tagsChange(core, 'remove'));
  return router;
}

/** The legacy tags relationship the CLI uses when a configured tag is missing: 204, no body. */
function tagsChange(core: Core, change: 'add' | 'remove'): Koa.Middleware<AppState> {
  return async (ctx) => {
    const names = parse(TagsDocument, ctx.request.body).data.map((t) => t.attributes.name);
    await core.tfe.workspaces.setTags(ctx.state.actor, (ctx.params as { id: string }).id, { [change]: names });
    ctx.status = 204;
  };
}
