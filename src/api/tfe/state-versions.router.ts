import Router from '@koa/router';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import type { Core } from '../../core/index.js';
import { InputError } from '../../core/errors.js';
import { StateVersionDocument } from '../../core/tfe/tfe.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { pagination, send, sendAll } from './jsonapi.js';
import { outputResource, stateVersionResource } from './presenters.js';
import { baseUrl, pageOf, type TfeOptions } from './tfe-context.js';

/** The upload URLs: their bodies are raw state bytes, read here (the JSON body parser leaves them alone). */
export const TFE_UPLOAD_RAW_BODY = /^\/api\/v2\/state-versions\/[^/]+\/(content|json-content)$/;

/**
 * TFE state versions: list, current, show, create, the upload URLs (no Authorization: a one-use
 * token in the query is the credential), download (Bearer), and the current version's outputs.
 */
export function tfeStateVersionsRouter(core: Core, options: TfeOptions) {
  const router = new Router<AppState>({ prefix: '/api/v2' });
  const sv = core.tfe.state;
  const auth = requireActor(core, 'tfe');

  router.get('/workspaces/:id/state-versions', auth, async (ctx) => {
    const { page, size } = pageOf(ctx);
    const all = await sv.list(ctx.state.actor, ctx.params.id);
    const items = all.slice((page - 1) * size, page * size).map((v) => stateVersionResource(v, baseUrl(ctx, options)));
    send(ctx, 200, items, { meta: { pagination: pagination(page, size, all.length) } });
  });
  router.get('/workspaces/:id/current-state-version', auth, async (ctx) => {
    send(ctx, 200, stateVersionResource(await sv.current(ctx.state.actor, ctx.params.id), baseUrl(ctx, options)));
  });
  router.post('/workspaces/:id/state-versions', auth, async (ctx) => {
    const a = parse(StateVersionDocument, ctx.request.body).data.attributes;
    const view = await sv.create(ctx.state.actor, ctx.params.id, { serial: a.serial, md5: a.md5, lineage: a.lineage, force: a.force, state: a.state });
    send(ctx, 201, stateVersionResource(view, baseUrl(ctx, options)));
  });
  router.get('/workspaces/:id/current-state-version-outputs', auth, async (ctx) => {
    const outputs = await sv.currentOutputs(ctx.state.actor, ctx.params.id);
    sendAll(ctx, outputs.map(outputResource));
  });
  router.get('/state-version-outputs/:id', auth, async (ctx) => {
    send(ctx, 200, outputResource(await sv.output(ctx.state.actor, ctx.params.id)));
  });
  router.get('/state-versions/:id', auth, async (ctx) => {
    send(ctx, 200, stateVersionResource(await sv.get(ctx.state.actor, ctx.params.id), baseUrl(ctx, options)));
  });
  router.get('/state-versions/:id/download', auth, async (ctx) => {
    ctx.type = 'application/json';
    ctx.body = await sv.download(ctx.state.actor, ctx.params.id);
  });
  router.put('/state-versions/:id/content', async (ctx) => {
    await sv.uploadContent(ctx.params.id, uploadToken(ctx), await getRawBody(ctx.req, { limit: options.stateBodyLimit }));
    ctx.status = 200;
  });
  router.put('/state-versions/:id/json-content', async (ctx) => {
    const token = uploadToken(ctx);
    await getRawBody(ctx.req, { limit: options.stateBodyLimit }); // read and dropped: outputs come from the raw state
    await sv.uploadJson(ctx.params.id, token);
    ctx.status = 200;
  });
  return router;
}

function uploadToken(ctx: Koa.Context): string {
  const token = ctx.query.token;
  if (typeof token !== 'string' || !token) throw new InputError('this upload URL has no token: PUT to the exact hosted-state-upload-url the state version gave', { code: 'upload_token_missing' });
  return token;
}
