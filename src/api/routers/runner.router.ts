import Router from '@koa/router';
import getRawBody from 'raw-body';
import { RegisterRunnerInput as Register, RunnerHeartbeatInput as Heartbeat, RunnerLogInput as LogChunk } from '../../core/runners/runner.schemas.js';
import type Koa from 'koa';
import type { Core } from '../../core/index.js';
import { CheckedOut, JobOutcome, PlanDetails, PlannedResult } from '../../core/runs/job.js';
import type { RunnerIdentity } from '../../core/runners/runners.service.js';
import { credentialFrom } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { connectionGone, waitMsOf } from '../long-poll.js';

/** The plan file upload is read raw (the JSON body parser must leave it alone). */
export const RUNNER_PLAN_RAW_BODY = /^\/api\/v1\/runner\/jobs\/[^/]+\/plan$/;

/**
 * The remote runner protocol. A runner token (`atr_…`) authenticates a pool; after register, the
 * `X-Atlantas-Runner` header names the runner. A job's routes answer 404 for any run the runner
 * does not hold.
 */
export function runnerRouter(core: Core, opts: { planBodyLimit: number }) {
  const router = new Router<AppState>({ prefix: '/api/v1/runner' });
  const identity = async (ctx: Koa.Context): Promise<RunnerIdentity> => {
    const { token, runner } = await core.runners.authenticate(credentialFrom(ctx.get('authorization') || undefined), ctx.get('x-atlantas-runner') || '');
    return { token, runner: runner! };
  };
  router.post('/register', async (ctx) => {
    const { token } = await core.runners.authenticate(credentialFrom(ctx.get('authorization') || undefined));
    const input = parse(Register, ctx.request.body);
    const { runner, heartbeatMs } = await core.runners.register(token, input.name, input.version);
    ctx.body = { id: runner.id, pool_id: runner.poolId, heartbeat_ms: heartbeatMs };
    ctx.status = 201;
  });
  router.post('/heartbeat', async (ctx) => {
    const { cancel, heartbeatMs } = await core.runners.heartbeat(await identity(ctx), parse(Heartbeat, ctx.request.body).runs);
    ctx.body = { cancel, heartbeat_ms: heartbeatMs };
  });
  // Long poll: 200 with a job, or 204 when none came within `wait` seconds (at most 25).
  router.post('/claim', async (ctx) => {
    const job = await core.runners.claim(await identity(ctx), waitMsOf(ctx), connectionGone(ctx));
    if (job) ctx.body = job;
    else ctx.status = 204;
  });
  router.get('/jobs/:run', async (ctx) => {
    ctx.body = await core.runners.job(await identity(ctx), ctx.params.run);
  });
  router.post('/jobs/:run/logs', async (ctx) => {
    const { phase, chunk } = parse(LogChunk, ctx.request.body);
    await core.runners.appendLog(await identity(ctx), ctx.params.run, phase, chunk);
    ctx.status = 204;
  });
  router.post('/jobs/:run/checkout', async (ctx) => {
    await core.runners.checkedOut(await identity(ctx), ctx.params.run, parse(CheckedOut, ctx.request.body));
    ctx.status = 204;
  });
  router.put('/jobs/:run/plan', async (ctx) => {
    const id = await identity(ctx);
    const length = ctx.get('content-length');
    const body = await getRawBody(ctx.req, { limit: opts.planBodyLimit, length: length ? Number(length) : undefined });
    await core.runners.uploadPlan(id, ctx.params.run, body);
    ctx.status = 204;
  });
  router.post('/jobs/:run/planned', async (ctx) => {
    ctx.body = await core.runners.planned(await identity(ctx), ctx.params.run, parse(PlannedResult, ctx.request.body));
  });
  router.post('/jobs/:run/details', async (ctx) => {
    await core.runners.planDetails(await identity(ctx), ctx.params.run, parse(PlanDetails, ctx.request.body));
    ctx.status = 204;
  });
  router.post('/jobs/:run/result', async (ctx) => {
    await core.runners.finished(await identity(ctx), ctx.params.run, parse(JobOutcome, ctx.request.body));
    ctx.status = 204;
  });
  return router;
}
