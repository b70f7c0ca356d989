import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { requireActor } from '../actor-from-request.js';
import { stateJson, stateVersionJson } from '../presenters/v1.js';
import type { AppState } from '../types.js';

/**
 * State management (v1): browse states and their version history, download one version (roll back
 * by POSTing it to the backend with the next serial), force-unlock and delete (admin).
 */
export function statesRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/states' });
  router.use(requireActor(core));

  router.get('/', async (ctx) => {
    ctx.body = (await core.state.list(ctx.state.actor)).map(stateJson);
  });
  router.get('/:id', async (ctx) => {
    ctx.body = stateJson(await core.state.get(ctx.state.actor, ctx.params.id));
  });
  router.get('/:id/versions', async (ctx) => {
    ctx.body = (await core.state.versions(ctx.state.actor, ctx.params.id)).map(stateVersionJson);
  });
  router.get('/:id/versions/:versionId', async (ctx) => {
    const { state, version, body } = await core.state.downloadVersion(ctx.state.actor, ctx.params.id, ctx.params.versionId);
    ctx.attachment(`${state.name}-${state.workspace}-v${version.version}.tfstate`);
    ctx.type = 'application/json';
    ctx.set('X-State-Serial', String(version.serial));
    ctx.body = body;
  });
  router.post('/:id/unlock', async (ctx) => {
    ctx.body = stateJson(await core.state.forceUnlock(ctx.state.actor, ctx.params.id));
  });
  router.delete('/:id', async (ctx) => {
    await core.state.delete(ctx.state.actor, { id: ctx.params.id });
    ctx.status = 204;
  });
  return router;
}
