import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type Koa from 'koa';
import type { Actor } from '../../core/actor.js';
import type { Core } from '../../core/index.js';
import { runUuid, type LogPhase } from '../../core/tfe/tfe-runs.service.js';
import type { TfeRunView } from '../../core/tfe/tfe-run-view.js';
import { RunActionDocument, RunDocument } from '../../core/tfe/tfe.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { pagination, type Resource, send, sendAll } from './jsonapi.js';
import { workspaceResource } from './presenters.js';
import { applyId, applyResource, configurationVersionResource, planId, planJson, planResource, runResource } from './run-presenters.js';
import { baseUrl, intParam, pageOf, queryParam, type TfeOptions } from './tfe-context.js';

/**
 * TFE runs: create, show (with `include`), list per workspace, run events, the actions
 * (apply/confirm, discard, cancel, force-cancel, retry), plans and applies with their
 * log-read-urls (capability URLs: no Authorization), the plan's JSON, the organization's queue
 * and capacity, and a workspace's live run updates (SSE).
 */
export function tfeRunsRouter(core: Core, options: TfeOptions) {
  const router = new Router<AppState>({ prefix: '/api/v2' });
  const runs = core.tfe.runs;
  const auth = requireActor(core, 'tfe');

  const logUrl = (ctx: Koa.Context, v: TfeRunView, phase: LogPhase) =>
    `${baseUrl(ctx, options)}/api/v2/${phase === 'plan' ? `plans/${planId(v.run.id)}` : `applies/${applyId(v.run.id)}`}/logs/${runs.logToken(v.run, phase)}`;
  const plan = (ctx: Koa.Context, v: TfeRunView) => planResource(v, logUrl(ctx, v, 'plan'));
  const apply = (ctx: Koa.Context, v: TfeRunView) => applyResource(v, logUrl(ctx, v, 'apply'));

  router.post('/runs', auth, async (ctx) => {
    const d = parse(RunDocument, ctx.request.body).data;
    const a = d.attributes;
    const view = await runs.createRun(ctx.state.actor, {
      workspaceId: d.relationships.workspace.data.id, configurationVersionId: d.relationships['configuration-version']?.data.id ?? null,
      isDestroy: a['is-destroy'], refreshOnly: a['refresh-only'], planOnly: a['plan-only'], message: a.message,
      targetAddrs: a['target-addrs'] ?? [], replaceAddrs: a['replace-addrs'] ?? [], variables: a.variables ?? [], autoApply: a['auto-apply'] ?? null,
    });
    send(ctx, 201, runResource(view));
  });
  router.get('/runs/:id', auth, async (ctx) => {
    const view = await runs.getRun(ctx.state.actor, ctx.params.id);
    send(ctx, 200, runResource(view), { included: await included(ctx, ctx.state.actor, view) });
  });
  router.get('/workspaces/:id/runs', auth, async (ctx) => {
    const { page, size } = pageOf(ctx);
    const { items, total } = await runs.listRuns(ctx.state.actor, ctx.params.id, { page, size });
    send(ctx, 200, items.map(runResource), { meta: { pagination: pagination(page, size, total) } });
  });
  router.get('/runs/:id/run-events', auth, async (ctx) => {
    await runs.getRun(ctx.state.actor, ctx.params.id);
    sendAll(ctx, []);
  });
  router.get('/runs/:id/task-stages', auth, async (ctx) => {
    await runs.getRun(ctx.state.actor, ctx.params.id);
    sendAll(ctx, []);
  });

  // The CLI's "yes" is actions/apply; actions/confirm is the same decision. 202, no body, as TFE.
  const action = (act: (actor: Actor, id: string, comment?: string) => Promise<unknown>): Koa.Middleware<AppState> => async (ctx) => {
    const comment = parse(RunActionDocument, ctx.request.body ?? {}).comment;
    await act(ctx.state.actor, (ctx.params as { id: string }).id, comment);
    ctx.status = 202;
  };
  router.post('/runs/:id/actions/apply', auth, action((a, id, c) => runs.confirm(a, id, c)));
  router.post('/runs/:id/actions/confirm', auth, action((a, id, c) => runs.confirm(a, id, c)));
  router.post('/runs/:id/actions/discard', auth, action((a, id) => runs.discard(a, id)));
  router.post('/runs/:id/actions/cancel', auth, action((a, id) => runs.cancel(a, id)));
  router.post('/runs/:id/actions/force-cancel', auth, action((a, id) => runs.cancel(a, id)));
  router.post('/runs/:id/actions/retry', auth, async (ctx) => {
    send(ctx, 201, runResource(await runs.retry(ctx.state.actor, ctx.params.id)));
  });

  router.get('/plans/:id', auth, async (ctx) => {
    send(ctx, 200, plan(ctx, await runs.getRun(ctx.state.actor, ctx.params.id)));
  });
  router.get('/runs/:id/plan', auth, async (ctx) => {
    send(ctx, 200, plan(ctx, await runs.getRun(ctx.state.actor, ctx.params.id)));
  });
  router.get('/applies/:id', auth, async (ctx) => {
    send(ctx, 200, apply(ctx, await runs.getRun(ctx.state.actor, ctx.params.id)));
  });
  router.get('/runs/:id/apply', auth, async (ctx) => {
    send(ctx, 200, apply(ctx, await runs.getRun(ctx.state.actor, ctx.params.id)));
  });
  for (const suffix of ['json-output', 'json-output-redacted']) {
    router.get(`/plans/:id/${suffix}`, auth, async (ctx) => {
      ctx.type = 'application/json';
      ctx.body = planJson(await runs.getRun(ctx.state.actor, ctx.params.id));
    });
  }
  router.get('/plans/:id/logs/:token', logRoute(core, 'plan'));
  router.get('/applies/:id/logs/:token', logRoute(core, 'apply'));

  router.get('/organizations/:org/runs/queue', auth, async (ctx) => {
    const queue = await runs.queue(ctx.state.actor, ctx.params.org);
    const items: Resource[] = queue.map((r) => ({
      id: `run-${r.id}`, type: 'runs', attributes: { status: r.status, 'position-in-queue': r.position },
      relationships: { workspace: { data: { id: r.workspaceId, type: 'workspaces' } } },
    }));
    sendAll(ctx, items);
  });
  router.get('/organizations/:org/capacity', auth, async (ctx) => {
    const c = await runs.capacity(ctx.state.actor, ctx.params.org);
    send(ctx, 200, { id: ctx.params.org, type: 'organization-capacity', attributes: { pending: c.pending, running: c.running } });
  });

  router.get('/workspaces/:id/runs/events', auth, async (ctx) => {
    const abort = new AbortController();
    const events = await runs.workspaceRunEvents(ctx.state.actor, ctx.params.id, abort.signal);
    const stream = new PassThrough();
    ctx.req.on('close', () => abort.abort());
    ctx.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    ctx.status = 200;
    ctx.body = stream;
    stream.write(': connected\n\n');
    void (async () => {
      try {
        for await (const view of events) stream.write(`event: run_update\ndata: ${JSON.stringify({ data: runResource(view) })}\n\n`);
      } catch {
        stream.write(`event: error\ndata: ${JSON.stringify({ detail: 'stream interrupted' })}\n\n`);
      } finally {
        stream.end();
      }
    })();
  });
  return router;

  async function included(ctx: Koa.Context, actor: Actor, v: TfeRunView): Promise<Resource[]> {
    const include = (queryParam(ctx, 'include') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const out: Resource[] = [];
    for (const name of include) {
      if (name === 'workspace') out.push(workspaceResource(await core.tfe.workspaces.get(actor, v.tfe.workspaceId)));
      else if (name === 'plan') out.push(plan(ctx, v));
      else if (name === 'apply') out.push(apply(ctx, v));
      else if (name === 'configuration_version' || name === 'configuration-version') {
        out.push(configurationVersionResource(await runs.getConfigurationVersion(actor, v.tfe.configurationVersionId)));
      }
      // task_stages, cost_estimate, policy_checks …: none exist here; 200 without them
    }
    return out;
  }
}

/** GET <log-read-url>?limit&offset: a byte slice of the phase's log; the token in the path is the credential. */
function logRoute(core: Core, phase: LogPhase): Koa.Middleware<AppState> {
  return async (ctx) => {
    const params = ctx.params as { id: string; token: string };
    const offset = intParam(ctx, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(ctx, 'limit', 65_536, 0, Number.MAX_SAFE_INTEGER);
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await core.tfe.runs.readLog(runUuid(params.id), phase, params.token, offset, limit);
  };
}

