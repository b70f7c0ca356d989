import Router from '@koa/router';
import type Koa from 'koa';
import type { Core } from '../../core/index.js';
import { LockDocument, TagBindingsDocument, TagsDocument, tagOfBinding, WorkspaceDocument, workspaceSettings, type TagBinding } from '../../core/tfe/tfe.schemas.js';
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
    const { tags, tagKeys } = tagFilters(ctx);
    const projectId = queryParam(ctx, 'filter[project][id]');
    const result = await ws.list(ctx.state.actor, ctx.params.org, { name: queryParam(ctx, 'search[name]'), tags, tagKeys, projectId, page, size });
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
  router.get('/workspaces/:id/tag-bindings', async (ctx) => {
    send(ctx, 200, (await ws.tagBindings(ctx.state.actor, ctx.params.id)).map(tagBindingResource));
  });
  router.patch('/workspaces/:id/tag-bindings', async (ctx) => {
    const bindings = parse(TagBindingsDocument, ctx.request.body).data.map((b) => b.attributes);
    send(ctx, 200, (await ws.addTagBindings(ctx.state.actor, ctx.params.id, bindings)).map(tagBindingResource));
  });
  router.post('/workspaces/:id/relationships/tags', tagsChange(core, 'add'));
  router.delete('/workspaces/:id/relationships/tags', tagsChange(core, 'remove'));
  return router;
}

/**
 * `search[tags]=a,b` (every tag), and go-tfe's key-value filter `filter[tagged][i][key]` /
 * `[value]`: with a value it is the tag `key:value`, without one any value of that key.
 */
function tagFilters(ctx: Koa.Context): { tags?: string[]; tagKeys?: string[] } {
  const tags = queryParam(ctx, 'search[tags]')?.split(',').map((t) => t.trim()).filter(Boolean) ?? [];
  const tagKeys: string[] = [];
  for (let i = 0; i < 50; i++) {
    const key = queryParam(ctx, `filter[tagged][${i}][key]`);
    if (!key) break;
    const value = queryParam(ctx, `filter[tagged][${i}][value]`);
    if (value) tags.push(tagOfBinding({ key, value }));
    else tagKeys.push(key);
  }
  return { tags: tags.length ? tags : undefined, tagKeys: tagKeys.length ? tagKeys : undefined };
}

const tagBindingResource = (b: TagBinding, i: number) => ({ id: `tb-${i}-${b.key}`, type: 'tag-bindings', attributes: { key: b.key, value: b.value } });

/** The legacy tags relationship the CLI uses when a configured tag is missing: 204, no body. */
function tagsChange(core: Core, change: 'add' | 'remove'): Koa.Middleware<AppState> {
  return async (ctx) => {
    const names = parse(TagsDocument, ctx.request.body).data.map((t) => t.attributes.name);
    await core.tfe.workspaces.setTags(ctx.state.actor, (ctx.params as { id: string }).id, { [change]: names });
    ctx.status = 204;
  };
}
