import Router from '@koa/router';
import getRawBody from 'raw-body';
import type { Core } from '../../core/index.js';
import { ArchiveRefused } from '../../core/terraform/config-archive.js';
import { ConfigurationVersionDocument } from '../../core/tfe/tfe.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { pagination, send } from './jsonapi.js';
import { configurationVersionResource } from './run-presenters.js';
import { baseUrl, pageOf, type TfeOptions } from './tfe-context.js';

/** The upload URL: its body is the raw tar.gz, read here (the JSON body parser leaves it alone). */
export const TFE_CV_UPLOAD_RAW_BODY = /^\/api\/v2\/configuration-versions\/[^/]+\/upload\/[^/]+$/;

/**
 * Configuration versions: create (answering the one-use `upload-url`, a capability URL with its
 * token in the path), show, list per workspace, the upload itself (no Authorization), and the
 * archive for the runner executing a run (the run's own credential).
 */
export function tfeConfigurationVersionsRouter(core: Core, options: TfeOptions & { archiveBodyLimit: number }) {
  const router = new Router<AppState>({ prefix: '/api/v2' });
  const runs = core.tfe.runs;
  const auth = requireActor(core, 'tfe');

  router.post('/workspaces/:id/configuration-versions', auth, async (ctx) => {
    const a = parse(ConfigurationVersionDocument, ctx.request.body ?? {}).data.attributes;
    const { cv, uploadToken } = await runs.createConfigurationVersion(ctx.state.actor, ctx.params.id, {
      autoQueueRuns: a['auto-queue-runs'], speculative: a.speculative, provisional: a.provisional,
    });
    send(ctx, 201, configurationVersionResource(cv, `${baseUrl(ctx, options)}/api/v2/configuration-versions/${cv.id}/upload/${uploadToken}`));
  });
  router.get('/workspaces/:id/configuration-versions', auth, async (ctx) => {
    const { page, size } = pageOf(ctx);
    const { items, total } = await runs.listConfigurationVersions(ctx.state.actor, ctx.params.id, { page, size });
    send(ctx, 200, items.map((cv) => configurationVersionResource(cv)), { meta: { pagination: pagination(page, size, total) } });
  });
  router.get('/configuration-versions/:id', auth, async (ctx) => {
    send(ctx, 200, configurationVersionResource(await runs.getConfigurationVersion(ctx.state.actor, ctx.params.id)));
  });
  router.put('/configuration-versions/:id/upload/:token', async (ctx) => {
    let body: Buffer;
    try {
      body = await getRawBody(ctx.req, { limit: options.archiveBodyLimit });
    } catch (err) {
      if ((err as { type?: string }).type === 'entity.too.large') throw new ArchiveRefused(`larger than ${options.archiveBodyLimit} bytes`);
      throw err;
    }
    await runs.upload(ctx.params.id, ctx.params.token, body);
    ctx.status = 200;
  });
  router.get('/runs/:id/configuration-archive', auth, async (ctx) => {
    ctx.type = 'application/gzip';
    ctx.body = await runs.archiveForRun(ctx.state.actor, ctx.params.id);
  });
  return router;
}
