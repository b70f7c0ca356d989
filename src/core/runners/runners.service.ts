import type { Logger } from '../../logger.js';
import { requirePermission, requirePlatformAdmin, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { hashToken } from '../auth/api-token.js';
import { AuthenticationError, InputError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { AfterPlan, CheckedOut, Job, JobOutcome, PlanDetails, PlannedResult } from '../runs/job.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { RunEvents } from '../runs/run-events.js';
import type { RunExecutor } from '../runs/run-executor.js';
import { recordPlanDetails, RunJobSink, type RunJobSinkDeps } from '../runs/run-job-sink.js';
import type { RunLogs } from '../runs/run-logs.js';
import type { Run } from '../runs/run.model.js';
import type { RunRepository } from '../runs/run.repository.js';
import { REMOTE_WORKER_PREFIX } from '../runs/run-recovery.js';
import { ACTIVE_STATUSES } from '../runs/run-status.js';
import { generateRunnerToken, looksLikeRunnerToken } from './runner-token.js';
import type { Runner, RunnerPool, RunnerRepository, RunnerToken } from './runner.repository.js';

/** The longest a runner's or listener's claim waits for a run before it answers none (under common proxies' idle timeouts). */
export const MAX_CLAIM_WAIT_MS = 25_000;

export interface RunnersDeps {
  repo: RunnerRepository;
  runs: RunRepository;
  executor: RunExecutor;
  sink: RunJobSinkDeps;
  logs: RunLogs;
  plans: PlanStore;
  events: RunEvents;
  audit: AuditLog;
  log: Logger;
  /** how often runners heartbeat (runnerHeartbeatMs of ATLANTAS_RUNNER_TIMEOUT); told to each at registration and on every heartbeat */
  heartbeatMs: number;
}

/** What a runner proved with its token and registration: one runner of one pool. */
export interface RunnerIdentity {
  token: RunnerToken;
  runner: Runner;
}

/**
 * Runner pools and the remote runner protocol. Pools belong to a tenant (or are shared, made by a
 * platform admin); a runner token sees only the runs its runner claimed from its pool, and each
 * of those only while it holds it. The decisions about a run stay in RunJobSink and RunExecutor.
 */
export class RunnersService {
  constructor(private readonly deps: RunnersDeps) {}

  async createPool(actor: Actor, input: { name: string; shared?: boolean; tenantDefault?: boolean }): Promise<RunnerPool> {
    requirePermission(actor, 'tenant:manage');
    if (input.shared) requirePlatformAdmin(actor);
    const pool = await this.deps.repo.createPool(input.shared ? null : actor.tenantId, input.name);
    if (input.tenantDefault) await this.deps.repo.setTenantDefault(actor.tenantId, pool.id);
    await this.deps.audit.record(actor, 'runner_pool.create', { type: 'runner_pool', id: pool.id }, { name: pool.name, shared: !!input.shared });
    return pool;
  }

  async listPools(actor: Actor): Promise<RunnerPool[]> {
    requirePermission(actor, 'tenant:read');
    return this.deps.repo.listPools(actor.tenantId);
  }

  async deletePool(actor: Actor, id: string): Promise<void> {
    const pool = await this.manageable(actor, id);
    await this.deps.repo.deletePool(pool.id);
    await this.deps.audit.record(actor, 'runner_pool.delete', { type: 'runner_pool', id: pool.id }, { name: pool.name });
  }

  /** A new runner token, shown this once; only its hash is kept. */
  async createToken(actor: Actor, poolId: string, name: string): Promise<{ token: RunnerToken; raw: string }> {
    const pool = await this.manageable(actor, poolId);
    const raw = generateRunnerToken();
    const token = await this.deps.repo.createToken(pool.id, name, hashToken(raw));
    await this.deps.audit.record(actor, 'runner_token.create', { type: 'runner_pool', id: pool.id }, { token: token.id, name });
    return { token, raw };
  }

  /** A pool the caller's tenant may use (its own or a shared one); any other is NotFound. */
  async pool(actor: Actor, id: string): Promise<RunnerPool> {
    requirePermission(actor, 'tenant:read');
    return this.visible(actor, id);
  }

  /** The pool's join tokens, without their secrets (shown once, at creation). */
  async listTokens(actor: Actor, poolId: string): Promise<RunnerToken[]> {
    return this.deps.repo.listJoinTokens((await this.manageable(actor, poolId)).id);
  }

  /** Which pool a project's runs wait for (a TFE workspace in agent mode sets it); another tenant's pool is NotFound. */
  async assignProjectPool(actor: Actor, projectId: string, poolId: string | null): Promise<void> {
    requirePermission(actor, 'project:write');
    const pool = poolId === null ? null : await this.visible(actor, poolId);
    if ((await this.deps.repo.projectPool(actor.tenantId, projectId)) === (pool?.id ?? null)) return;
    await this.deps.repo.setProjectPool(actor.tenantId, projectId, pool?.id ?? null);
    await this.deps.audit.record(actor, 'project.runner_pool', { type: 'project', id: projectId }, { runner_pool_id: pool?.id ?? null });
  }

  async projectPool(actor: Actor, projectId: string): Promise<string | null> {
    requirePermission(actor, 'project:read');
    return this.deps.repo.projectPool(actor.tenantId, projectId);
  }

  async listRunners(actor: Actor, poolId: string) {
    requirePermission(actor, 'tenant:read');
    return this.deps.repo.listRunners((await this.visible(actor, poolId)).id);
  }

  /** A runner token → its pool's token; `runnerId` (after register) must be a runner of that token. */
  async authenticate(raw: string, runnerId?: string): Promise<{ token: RunnerToken; runner?: Runner }> {
    const token = looksLikeRunnerToken(raw) ? await this.deps.repo.findToken(hashToken(raw)) : null;
    if (!token) throw new AuthenticationError('invalid runner token', { code: 'invalid_token' });
    if (runnerId === undefined) {
      // a listener's own credential is bound to that listener: it registers no runner
      if (token.kind !== 'join') throw new AuthenticationError('invalid runner token', { code: 'invalid_token' });
      return { token };
    }
    const runner = isUuid(runnerId) ? await this.deps.repo.findRunner(runnerId) : null;
    if (!runner || runner.tokenId !== token.id) throw new AuthenticationError('unknown runner: register first', { code: 'invalid_runner' });
    return { token, runner };
  }

  /** The runner, and how often it must heartbeat to stay alive under this server's ATLANTAS_RUNNER_TIMEOUT. */
  async register(token: RunnerToken, name: string, version: string): Promise<{ runner: Runner; heartbeatMs: number }> {
    return { runner: await this.deps.repo.register(token, name.slice(0, 200), version.slice(0, 100)), heartbeatMs: this.deps.heartbeatMs };
  }

  /** Liveness of the runner and of the runs it holds; returns those asked to cancel, and the heartbeat interval (it follows a server restarted with another timeout). */
  async heartbeat(id: RunnerIdentity, runIds: string[]): Promise<{ cancel: string[]; heartbeatMs: number }> {
    await this.deps.repo.touch(id.runner.id);
    const { cancel } = await this.deps.runs.heartbeatHeld(runIds.filter(isUuid), workerIdOf(id.runner));
    return { cancel, heartbeatMs: this.deps.heartbeatMs };
  }

  /** Long poll: the next run of this runner's pool, as a job; exactly one runner gets each run (SKIP LOCKED). */
  /**
   * `gone` is the runner's connection closing: a runner that died while polling must not be handed a run
   * (it would sit claimed by nobody until ATLANTAS_RUNNER_TIMEOUT errors it), so the wait ends, and a run
   * claimed meanwhile goes back to the queue for another runner.
   */
  /** Long poll for the next run of the runner's pool: at most MAX_CLAIM_WAIT_MS, whatever the runner asks. */
  async claim(id: RunnerIdentity, waitMs: number, gone?: AbortSignal): Promise<Job | null> {
    const deadline = Date.now() + Math.min(Math.max(0, waitMs), MAX_CLAIM_WAIT_MS);
    const workerId = workerIdOf(id.runner);
    while (!gone?.aborted) {
      const run = await this.deps.runs.claim(workerId, id.token.poolId);
      if (run) {
        this.deps.events.emit({ type: 'status', runId: run.id, status: run.status });
        this.deps.log.info({ runId: run.id, runner: id.runner.name }, 'run claimed by a remote runner');
        const job = await this.prepare(run);
        if (job && gone?.aborted && (await this.deps.runs.release(run.id, workerId))) {
          this.deps.log.warn({ runId: run.id, runner: id.runner.name }, 'the runner disconnected before it received its run: queued again');
          this.deps.events.emit({ type: 'enqueued' });
          return null;
        }
        if (job) return job;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await this.enqueuedOr(Math.min(left, 1000), gone);
    }
    return null;
  }

  /** The job of a run this runner holds (again). */
  async job(id: RunnerIdentity, runId: string): Promise<Job> {
    const run = await this.held(id, runId);
    const job = await this.prepare(run);
    if (!job) throw new NotFoundError(`run ${runId} ended before it started`);
    return job;
  }

  async appendLog(id: RunnerIdentity, runId: string, phase: 'init' | 'plan' | 'apply', chunk: string): Promise<void> {
    await this.withSink(id, runId, async (sink) => {
      sink.setPhase(phase);
      sink.appendLog(chunk);
    });
  }

  async checkedOut(id: RunnerIdentity, runId: string, info: CheckedOut): Promise<void> {
    await this.withSink(id, runId, (sink) => sink.checkedOut(info));
  }

  /** The plan file, stored encrypted before the plan's result is reported. */
  async uploadPlan(id: RunnerIdentity, runId: string, plan: Buffer): Promise<void> {
    const run = await this.held(id, runId);
    if (run.status !== 'planning') throw new InputError(`run ${runId} is not planning`);
    await this.deps.plans.save(run.tenantId, run.id, plan);
  }

  planned(id: RunnerIdentity, runId: string, result: PlannedResult): Promise<AfterPlan> {
    return this.withSink(id, runId, (sink) => sink.planned(result, null));
  }

  /**
   * Which resources the plan changes, sent after its answer (job.planDetails): by then the run may
   * have ended, so this runner may write them only to a run it claimed, planned and left without them.
   */
  async planDetails(id: RunnerIdentity, runId: string, details: PlanDetails): Promise<void> {
    const [run] = isUuid(runId) ? await this.deps.runs.findByIds([runId]) : [];
    if (!run || run.workerId !== workerIdOf(id.runner) || !run.plannedAt || run.resourceChanges !== null) throw new NotFoundError(`run ${runId} not found`);
    await recordPlanDetails(this.deps.runs, run.id, details);
  }

  async finished(id: RunnerIdentity, runId: string, outcome: JobOutcome): Promise<void> {
    await this.withSink(id, runId, (sink) => sink.finished(outcome));
  }

  /** Resolves when a run is queued on this replica, or after `ms` (another replica's runs are polled). */
  private enqueuedOr(ms: number, gone?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const off = this.deps.events.onEnqueued(done);
      const timer = setTimeout(done, ms);
      gone?.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        off();
        gone?.removeEventListener('abort', done);
        resolve();
      }
    });
  }

  private async withSink<T>(id: RunnerIdentity, runId: string, fn: (sink: RunJobSink) => Promise<T>): Promise<T> {
    const run = await this.held(id, runId);
    const writer = await this.deps.logs.writer(run.id);
    try {
      return await fn(new RunJobSink(this.deps.sink, run, writer, true));
    } finally {
      await writer.close();
    }
  }

  private async prepare(run: Run): Promise<Job | null> {
    const writer = await this.deps.logs.writer(run.id);
    try {
      return await this.deps.executor.prepareJob(run, (text) => writer.append(text));
    } finally {
      await writer.close();
    }
  }

  /** A run this runner claimed and still holds; any other run does not exist for it. */
  private async held(id: RunnerIdentity, runId: string): Promise<Run> {
    const [run] = isUuid(runId) ? await this.deps.runs.findByIds([runId]) : [];
    if (!run || run.workerId !== workerIdOf(id.runner) || !ACTIVE_STATUSES.includes(run.status)) throw new NotFoundError(`run ${runId} not found`);
    return run;
  }

  private async visible(actor: Actor, id: string): Promise<RunnerPool> {
    const pool = isUuid(id) ? await this.deps.repo.findPool(id) : null;
    if (!pool || (pool.tenantId !== null && pool.tenantId !== actor.tenantId)) throw new NotFoundError(`runner pool ${id} not found`);
    return pool;
  }

  private async manageable(actor: Actor, id: string): Promise<RunnerPool> {
    requirePermission(actor, 'tenant:manage');
    const pool = await this.visible(actor, id);
    if (pool.tenantId === null) requirePlatformAdmin(actor);
    return pool;
  }
}

export function workerIdOf(runner: Pick<Runner, 'id'>): string {
  return `${REMOTE_WORKER_PREFIX}${runner.id}`;
}
