import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { CreateRunInput, ListRunsQuery, RunEventsQuery } from '../../core/runs/run.schemas.js';
import type { RunStatus } from '../../core/runs/run-status.js';
import { requireActor } from '../actor-from-request.js';
import { pagingHeaders } from '../presenters/paging.js';
import { runJson } from '../presenters/runs.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

export function runsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/runs' });
  router.use(requireActor(core));

  router.get('/', async (ctx) => {
    const q = parse(ListRunsQuery, ctx.query);
    const projectId = q.project ? (await core.projects.require(ctx.state.actor, q.project)).id : undefined;
    const { runs, total, nextCursor } = await core.runs.list(ctx.state.actor, {
      status: q.status?.split(',').filter(Boolean) as RunStatus[] | undefined, projectId, environmentId: q.environment,
      repoFullName: q.repo, limit: q.per_page, offset: (q.page - 1) * q.per_page, cursor: q.cursor,
    });
    ctx.set(pagingHeaders(ctx.path, ctx.querystring, { page: q.cursor ? null : q.page, perPage: q.per_page, total, nextCursor }));
    ctx.body = runs.map(runJson);
  });
  router.get('/scheduled', async (ctx) => {
    ctx.body = (await core.runs.list(ctx.state.actor, { scheduledOnly: true, limit: 500, offset: 0 })).runs.map(runJson);
  });
  router.post('/', async (ctx) => {
    ctx.body = runJson(await core.commands.createRun(ctx.state.actor, parse(CreateRunInput, ctx.request.body), 'api'));
    ctx.status = 201;
  });
  router.get('/:id', async (ctx) => {
    const run = await core.runs.get(ctx.state.actor, ctx.params.id);
    ctx.body = { ...runJson(run), log: await core.runs.output(ctx.state.actor, run.id) };
  });
  router.post('/:id/approve', async (ctx) => {
    ctx.body = runJson(await core.runs.approve(ctx.state.actor, ctx.params.id));
  });
  router.post('/:id/apply', async (ctx) => {
    ctx.body = runJson(await core.runs.apply(ctx.state.actor, ctx.params.id));
  });
  router.post('/:id/discard', async (ctx) => {
    ctx.body = runJson(await core.runs.discard(ctx.state.actor, ctx.params.id));
  });
  router.post('/:id/cancel', async (ctx) => {
    ctx.body = runJson(await core.runs.cancel(ctx.state.actor, ctx.params.id));
  });
  router.get('/:id/events', async (ctx) => {
    const run = await core.runs.get(ctx.state.actor, ctx.params.id);
    const after = parse(RunEventsQuery, { after: ctx.get('last-event-id') || ctx.query.after }).after;
    const abort = new AbortController();
    const stream = new PassThrough();
    ctx.req.on('close', () => abort.abort());
    ctx.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    ctx.status = 200;
    ctx.body = stream;
    void pump(await core.runs.follow(ctx.state.actor, run.id, after, abort.signal), stream);
  });
  return router;
}

/** Writes follow events as Server-Sent Events; `id:` is the log sequence for resuming. */
async function pump(events: AsyncIterable<import('../../core/runs/run-follower.js').FollowEvent>, stream: PassThrough): Promise<void> {
  try {
    for await (const e of events) {
      if (e.type === 'log') stream.write(`id: ${e.chunk.seq}\nevent: log\ndata: ${JSON.stringify({ phase: e.chunk.phase, text: e.chunk.chunk })}\n\n`);
      else stream.write(`event: ${e.type}\ndata: ${JSON.stringify({ status: e.status })}\n\n`);
    }
  } catch (err) {
    stream.write(`event: error\ndata: ${JSON.stringify({ detail: 'stream interrupted' })}\n\n`);
  } finally {
    stream.end();
  }
}
