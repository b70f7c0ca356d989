import Router from '@koa/router';
import type Koa from 'koa';
import { ListenerHeartbeatInput, ListenerJoinInput, ListenerRunReportInput } from '../../core/runners/runner.schemas.js';
import type { Core } from '../../core/index.js';
import type { RunnerIdentity } from '../../core/runners/runners.service.js';
import { credentialFrom } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { certificateJson, joinedJson } from './agent-presenters.js';
import { send } from './jsonapi.js';
import { connectionGone, waitMsOf } from '../long-poll.js';

/**
 * The TFE agent listener protocol. Join has no Bearer: the pool's join token in the body is the
 * credential. Every other call carries the listener's own credential (issued at join) as Bearer
 * and names the listener in the path; the job itself is executed through /api/v1/runner/jobs/…
 * with the same credential and `X-Atlantas-Runner: {listener id}`.
 */
export function tfeListenersRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v2' });
  const listeners = core.tfe.listeners;
  const identity = (ctx: Koa.Context): Promise<RunnerIdentity> =>
    listeners.authenticate(credentialFrom(ctx.get('authorization') || undefined), (ctx.params as { id: string }).id);

  const join = (poolOf: (ctx: Koa.Context) => string | undefined): Koa.Middleware<AppState> => async (ctx) => {
    const input = parse(ListenerJoinInput, ctx.request.body);
    ctx.status = 201;
    ctx.body = joinedJson(await listeners.join(input.join_token, input, poolOf(ctx)));
  };
  router.post('/agent-pools/join', join(() => undefined));
  router.post('/agent-pools/:pool/listeners/join', join((ctx) => (ctx.params as { pool: string }).pool));

  router.post('/listeners/:id/heartbeat', async (ctx) => {
    const id = await identity(ctx);
    const { cancel, heartbeatMs } = await listeners.heartbeat(id, parse(ListenerHeartbeatInput, ctx.request.body ?? {}).runs);
    ctx.body = { listener_id: id.runner.id, cancel, heartbeat_ms: heartbeatMs };
  });
  router.post('/listeners/:id/renew', async (ctx) => {
    ctx.body = certificateJson(await listeners.renew(await identity(ctx)));
  });
  // Long poll: 200 with the job of the next run of the pool, 204 when none came within `wait` seconds (0-25, default 25).
  router.get('/listeners/:id/runs/next', async (ctx) => {
    const id = await identity(ctx);
    const job = await listeners.next(id, waitMsOf(ctx), connectionGone(ctx));
    if (job) send(ctx, 200, { id: job.runId, type: 'runs', attributes: { status: job.phase === 'apply' ? 'applying' : 'planning', job } });
    else ctx.status = 204;
  });
  router.patch('/listeners/:id/runs/:run', async (ctx) => {
    const report = await listeners.report(await identity(ctx), ctx.params.run, parse(ListenerRunReportInput, ctx.request.body));
    send(ctx, 200, {
      id: ctx.params.run, type: 'runs',
      attributes: { status: report.status, ...(report.afterPlan ? { apply: report.afterPlan.apply, 'state-password': report.afterPlan.statePassword ?? null } : {}) },
    });
  });
  return router;
}
