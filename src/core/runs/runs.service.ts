import { randomUUID } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../../logger.js';
import { mayApplyWithoutApproval, requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { InputError, LockedError, NotAllowedError, NotFoundError, PreconditionFailedError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { LockHolder } from '../locks/lock-holder.js';
import type { LocksService } from '../locks/locks.service.js';
import { noopMetrics, type Metrics } from '../ports/metrics.js';
import { silentNotifier, type Notifier } from '../notifications/notification.js';
import type { PlanFreshness } from './plan-freshness.js';
import type { PlanStore } from './plan-store.js';
import type { RunEvents } from './run-events.js';
import type { SandboxGate } from './sandbox-gate.js';
import { followRun, type FollowEvent } from './run-follower.js';
import type { RunLogs } from './run-logs.js';
import type { Run } from './run.model.js';
import { decodeRunCursor, encodeRunCursor } from './run-cursor.js';
import type { RunFilter, RunRepository } from './run.repository.js';
import { systemActors } from '../auth/system-actors.js';
import { formatDuration } from './format-duration.js';
import { canApprove, canCancel, isSettled, needsProcessStop, RUN_STATUSES, type RunOperation, type RunSource, type RunStatus } from './run-status.js';

export interface RunList {
  runs: Run[];
  /** all runs matching the filter; null on a cursor page */
  total: number | null;
  nextCursor: string | null;
}

/** One project of one repository at one commit: what a run plans and applies. */
export interface RunTarget {
  repoFullName: string;
  repoUrl: string;
  dir: string;
  workspace: string;
  projectName: string;
  ref: string;
  /** '' = resolve the ref's head when the run starts (scheduled runs) */
  commitSha: string;
  prNumber?: number | null;
  prUrl?: string | null;
  projectId?: string | null;
  environmentId?: string | null;
  stateName?: string | null;
  /** ids (within this request, by index) of targets that must finish first */
  after?: number[];
  applyRequirements?: string[];
  /** this project applies without waiting for approval (a registered project's auto_apply) */
  autoApply?: boolean;
  /** the runner pool the run waits for, over its project's (a TFE workspace in agent mode) */
  runnerPoolId?: string | null;
}

export interface EnqueueRequest {
  operation: RunOperation;
  source: RunSource;
  targets: RunTarget[];
  extraArgs: string[];
  /** every target applies without waiting for an approval once its plan has changes */
  autoApply: boolean;
  title?: string;
  scheduledAt?: Date | null;
  holder: LockHolder;
  /** outside a pull request: keep the plan (and the lock) until applied, discarded, superseded or expired */
  keepPlan?: boolean;
}

export type EnqueueResult = { target: RunTarget; run: Run; failure?: undefined } | { target: RunTarget; run?: undefined; failure: string; lock: unknown };

interface Deps {
  sequelize: Sequelize;
  repo: RunRepository;
  locks: LocksService;
  logs: RunLogs;
  plans: PlanStore;
  events: RunEvents;
  freshness: PlanFreshness;
  /** refuses runs that may not execute unsandboxed; every run is allowed when absent */
  sandbox?: SandboxGate;
  audit: AuditLog;
  log: Logger;
  /** every status a run enters is counted here */
  metrics?: Metrics;
  /** where run outcomes (needs approval, applied, errored) are told; nobody when absent */
  notifier?: Notifier;
  /** the approval gate (core/approvals): told when a human approves a run an agent asked to apply */
  approvals?: RunApprovalHook;
  /** change windows (core/itsm): may this run's project apply now? Every apply may when absent */
  changeGate?: RunChangeGate;
  /** told of each run that ends applied or errored, in the ending transaction (automatic incidents) */
  outcomes?: RunOutcomeHook;
}

export interface RunOutcomeHook {
  /** `run` as it was before it ended (its status says whether it was applying); must not throw */
  runFinished(run: Run, status: RunStatus, transaction: Transaction): Promise<void>;
}

export interface RunChangeGate {
  /** why the project may not apply now (no approved change window covers it), or null */
  applyRefusal(tenantId: string, projectId: string | null): Promise<string | null>;
}

export interface RunApprovalHook {
  approvedByHuman(actor: Actor, runId: string, transaction: Transaction): Promise<void>;
  requestRunApply(actor: Actor, run: Run, reason: string): Promise<{ id: string }>;
  /** does the automated actor's token policy let it apply this run without a person? */
  policyVerdict(actor: Actor, run: Run): Promise<PolicyVerdict>;
}

export type PolicyVerdict = { allowed: true; note: string } | { allowed: false; why: string };

/** Runs: the one engine every front end ends in. Permission, locks and audit are decided here. */
export class RunsService {
  private readonly metrics: Metrics;
  private readonly notifier: Notifier;

  constructor(private readonly deps: Deps) {
    this.metrics = deps.metrics ?? noopMetrics;
    this.notifier = deps.notifier ?? silentNotifier;
  }

  /** Queues one run per target; a target whose lock is held elsewhere fails alone (Atlantis semantics). */
  async enqueue(actor: Actor, req: EnqueueRequest): Promise<{ batchId: string; results: EnqueueResult[] }> {
    requirePermission(actor, req.operation === 'plan' || req.operation === 'refresh' ? 'run:plan' : 'run:apply');
    if (req.autoApply && req.operation !== 'plan' && !mayApplyWithoutApproval(actor)) this.refuseUnattended(actor);
    await this.assertMayRun(actor.tenantId);
    const batchId = randomUUID();
    const ids = req.targets.map(() => randomUUID());
    const results = await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const out: EnqueueResult[] = [];
      for (const [i, target] of req.targets.entries()) {
        try {
          await this.deps.locks.acquire(actor.tenantId, target, req.holder, ids[i], transaction);
        } catch (err) {
          if (!(err instanceof LockedError)) throw err;
          out.push({ target, failure: err.message, lock: err.holder });
          continue;
        }
        await this.supersede(actor.tenantId, target, req.holder, ids[i], transaction);
        const run = await this.deps.repo.insert(this.newRun(actor, req, target, ids[i], batchId, (target.after ?? []).map((j) => ids[j])), transaction);
        await this.deps.audit.record(actor, `run.${req.operation}`, { type: 'run', id: run.id }, { repo: target.repoFullName, dir: target.dir, workspace: target.workspace, source: req.source }, { transaction });
        out.push({ target, run });
      }
      return out;
    });
    for (const r of results) if (r.run) this.metrics.runStatus(r.run, 'pending');
    this.deps.events.emit({ type: 'enqueued' });
    return { batchId, results };
  }

  /** Refuses (sandbox.unavailable) when the tenant's runs may not execute here: no sandbox, not the default tenant. */
  async assertMayRun(tenantId: string): Promise<void> {
    await this.deps.sandbox?.assertMayRun(tenantId);
  }

  async get(actor: Actor, id: string): Promise<Run> {
    requirePermission(actor, 'run:read');
    const run = isUuid(id) ? await this.deps.repo.get(actor.tenantId, id) : null;
    if (!run) throw new NotFoundError(`run ${id} not found`, { code: 'run_not_found' });
    return run;
  }

  /**
   * A page of the tenant's runs, newest first. With `cursor` (from a previous page's `nextCursor`)
   * it continues after that run, by keyset, without a total; otherwise it skips `offset` runs and
   * counts them all. `nextCursor` is null on the last page. Scheduled runs come soonest first.
   */
  async list(actor: Actor, filter: Omit<RunFilter, 'tenantId'> & { cursor?: string }): Promise<RunList> {
    requirePermission(actor, 'run:read');
    const bad = filter.status?.filter((s) => !RUN_STATUSES.includes(s));
    if (bad?.length) throw new InputError(`unknown status ${bad.join(', ')}; use one of ${RUN_STATUSES.join(', ')}`);
    const { cursor, ...rest } = filter;
    if (rest.scheduledOnly) return { ...(await this.deps.repo.find({ ...rest, tenantId: actor.tenantId })), nextCursor: null };
    const after = cursor === undefined ? null : decodeRunCursor(cursor);
    const page = await this.deps.repo.page({ ...rest, tenantId: actor.tenantId }, after, !after);
    return { runs: page.runs, total: page.total, nextCursor: page.next && encodeRunCursor(page.next) };
  }

  /** Several runs of the caller's tenant, in the order asked. */
  async byIds(actor: Actor, ids: string[]): Promise<Run[]> {
    requirePermission(actor, 'run:read');
    const runs = (await this.deps.repo.findByIds(ids)).filter((r) => r.tenantId === actor.tenantId);
    return ids.flatMap((id) => runs.filter((r) => r.id === id));
  }

  /** The run's output; `phase` narrows it to init, plan or apply. */
  async output(actor: Actor, id: string, phase?: string): Promise<string> {
    await this.get(actor, id);
    return this.deps.logs.text(id, phase);
  }

  /** Live output and status of a run, from sequence `afterSeq` on, until it settles. */
  async follow(actor: Actor, id: string, afterSeq: number, signal: AbortSignal): Promise<AsyncGenerator<FollowEvent>> {
    const run = await this.get(actor, id);
    return followRun({ repo: this.deps.repo, logs: this.deps.logs, events: this.deps.events }, run.tenantId, run.id, afterSeq, signal);
  }

  /**
   * Approves a planned run (REST's /runs/{id}/approve, `apply`). A pull request's run whose
   * project has apply requirements (approved, mergeable …) is refused: only the PR workflow can
   * check them with the host, and it approves through `approveForPullRequest`.
   */
  async approve(actor: Actor, id: string): Promise<Run> {
    requirePermission(actor, 'run:approve');
    const run = await this.get(actor, id);
    if (run.prNumber && run.applyRequirements.length) {
      throw new PreconditionFailedError(
        `run ${id} belongs to pull request #${run.prNumber}, which requires ${run.applyRequirements.join(', ')} before an apply: comment \`atlantis apply\` on the pull request`,
        { code: 'run.apply_requirements' },
      );
    }
    return this.approveChecked(actor, id);
  }

  /** The PR workflow's approval, once it has checked the pull request's apply requirements with the host. */
  async approveForPullRequest(actor: Actor, id: string): Promise<Run> {
    requirePermission(actor, 'run:approve');
    return this.approveChecked(actor, id);
  }

  /** Past the requirements: a person confirms; an automated actor's approval becomes a request for a person. */
  private approveChecked(actor: Actor, id: string): Promise<Run> {
    return actor.automation ? this.askForHuman(actor, id) : this.confirm(actor, id, actor.name);
  }

  /** An automated actor approving a run directly: a request for a person is recorded (core/approvals), and the refusal names it. */
  private async askForHuman(actor: Actor, id: string): Promise<never> {
    const run = await this.get(actor, id);
    if (!this.deps.approvals || !canApprove(run.status)) this.refuseUnattended(actor);
    const request = await this.deps.approvals.requestRunApply(actor, run, 'no reason given (asked by approving the run directly)');
    throw new NotAllowedError(
      `${actor.name} is an automated agent: an apply needs a human's approval; approval request ${request.id} waits for a person ` +
        `(POST /api/v1/approvals/${request.id}/approve, or \`atlantis apply\` on the pull request)`,
      { code: 'run.human_approval_required', details: { approval_id: request.id } },
    );
  }

  /**
   * An automated actor's apply that its token's policy allows without a person (core/approvals
   * decides the verdict; it is asked here again, so no caller can reach around it).
   */
  async approveUnderPolicy(actor: Actor, id: string): Promise<Run> {
    requirePermission(actor, 'run:approve');
    const verdict = this.deps.approvals ? await this.deps.approvals.policyVerdict(actor, await this.get(actor, id)) : null;
    if (!verdict?.allowed) this.refuseUnattended(actor);
    return this.confirm(actor, id, `${actor.name} (policy: ${verdict.note})`);
  }

  /**
   * A human confirms a planned run. Refused when the plan went stale (the commit moved on or the
   * state changed since the plan): that plan can never be applied, so it is discarded.
   */
  private async confirm(actor: Actor, id: string, approvedBy: string): Promise<Run> {
    const run = await this.get(actor, id);
    await this.assertMayRun(run.tenantId);
    if (!canApprove(run.status)) throw await this.alreadyDecided(id);
    const outsideWindow = await this.changeRefusal(run);
    if (outsideWindow) {
      await this.deps.audit.record(actor, 'run.apply_waits_for_change', { type: 'run', id }, { reason: outsideWindow });
      throw new PreconditionFailedError(outsideWindow, { code: 'run.change_window_required' });
    }
    const stale = await this.deps.freshness.check(run);
    // The decision is one conditional update (planned → confirmed): of two
    // approvers, double clicks or replicas deciding at once, exactly one wins; the others change nothing.
    const updated = await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      if (stale) {
        if (!(await this.finish(run, 'discarded', { statusReason: stale }, { transaction, onlyIfStatus: ['planned'] }))) throw await this.alreadyDecided(id, transaction);
        await this.deps.audit.record(actor, 'run.approve_refused', { type: 'run', id }, { reason: stale }, { transaction });
        return null;
      }
      if (!(await this.deps.repo.confirmIfPlanned(actor.tenantId, id, approvedBy, transaction))) throw await this.alreadyDecided(id, transaction);
      await this.deps.audit.record(actor, 'run.approve', { type: 'run', id }, {}, { transaction });
      // A human approving the run (a PR's `atlantis apply`, REST) also decides what an agent asked for it.
      if (!actor.automation) await this.deps.approvals?.approvedByHuman(actor, id, transaction);
      return this.deps.repo.get(actor.tenantId, id, transaction);
    });
    if (!updated) throw new PreconditionFailedError(`${stale}; plan again`, { code: 'run.plan_stale' });
    this.metrics.runStatus(updated, 'confirmed');
    this.deps.events.emit({ type: 'status', runId: id, status: 'confirmed' });
    this.deps.events.emit({ type: 'enqueued' });
    return updated;
  }

  /**
   * Applies a kept (or any planned) run's saved plan, by run id: the same permission and audit as
   * a pull request's `atlantis apply` (run:apply, then the approval). Exactly once: a second call,
   * a superseded, expired or decided run is refused (run.not_approvable) and nothing changes.
   */
  async apply(actor: Actor, id: string): Promise<Run> {
    requirePermission(actor, 'run:apply');
    return this.approve(actor, id);
  }

  /**
   * Discards a planned run's saved plan, by run id, releasing the lock it held outside a pull
   * request. Exactly once, like apply: a run that is no longer planned is refused (run.not_discardable).
   */
  async discard(actor: Actor, id: string): Promise<Run> {
    requirePermission(actor, 'run:cancel');
    const run = await this.get(actor, id);
    const updated = await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      if (!(await this.finish(run, 'discarded', { statusReason: `discarded by ${actor.name}` }, { transaction, onlyIfStatus: ['planned'] }))) {
        throw await this.alreadyDecided(id, transaction, 'run.not_discardable', 'discarded');
      }
      await this.deps.audit.record(actor, 'run.discard', { type: 'run', id }, {}, { transaction });
      return (await this.deps.repo.get(actor.tenantId, id, transaction))!;
    });
    this.deps.events.emit({ type: 'status', runId: id, status: 'discarded' });
    return updated;
  }

  /**
   * Ends kept plans outside pull requests that waited longer than `ttlMs` at `now`: discarded
   * (a status a front end shows), their lock released, a `run.plan_expired` told. Safe on every
   * replica at once: each run is ended by one conditional update. Returns the expired runs.
   */
  async expireKeptPlans(now: Date, ttlMs: number): Promise<Run[]> {
    const expired: Run[] = [];
    for (const run of await this.deps.repo.findPlannedOutsidePullRequests(new Date(now.getTime() - ttlMs))) {
      const reason = `plan expired: not applied within ${formatDuration(ttlMs)}; the lock was released`;
      const ended = await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
        if (!(await this.finish(run, 'discarded', { statusReason: reason }, { transaction, onlyIfStatus: ['planned'] }))) return false;
        await this.deps.audit.record(systemActors.planExpiry(run.tenantId), 'run.plan_expired', { type: 'run', id: run.id }, { ttl_ms: ttlMs }, { transaction });
        await this.notifier.publish({ kind: 'run.plan_expired', tenantId: run.tenantId, projectId: run.projectId, runId: run.id }, { transaction, dedupeKey: `run.plan_expired:${run.id}` });
        return true;
      });
      if (!ended) continue;
      this.deps.events.emit({ type: 'status', runId: run.id, status: 'discarded' });
      expired.push(run);
    }
    return expired;
  }

  /**
   * Records a finished plan: `planned` (waiting for a human, told as `run.needs_approval`) or on
   * to `applying` (auto-apply). The worker's sink calls it; the caller emits nothing more.
   */
  /** Why this run may not apply now (its project needs an approved change window), or null. */
  async changeRefusal(run: Pick<Run, 'tenantId' | 'projectId'>): Promise<string | null> {
    return (await this.deps.changeGate?.applyRefusal(run.tenantId, run.projectId)) ?? null;
  }

  async recordPlanned(run: Run, values: Partial<Run>, proceed: boolean): Promise<void> {
    const status: RunStatus = proceed ? 'applying' : 'planned';
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.deps.repo.update(run.id, { ...values, status, approvedBy: proceed ? 'auto-apply' : null, approvedAt: proceed ? new Date() : null }, { transaction });
      if (!proceed) await this.notifier.publish({ kind: 'run.needs_approval', tenantId: run.tenantId, projectId: run.projectId, runId: run.id }, { transaction, dedupeKey: `run.needs_approval:${run.id}` });
    });
    this.notify(run, status);
  }

  /** Cancels a run: queued or waiting runs at once; a running terraform is stopped by its worker. */
  async cancel(actor: Actor, id: string): Promise<Run> {
    requirePermission(actor, 'run:cancel');
    const result = await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const run = await this.deps.repo.getForUpdate(actor.tenantId, id, transaction);
      if (!run) throw new NotFoundError(`run ${id} not found`, { code: 'run_not_found' });
      if (!canCancel(run.status)) throw new PreconditionFailedError(`run ${id} is already ${run.status}`, { code: 'run.not_cancelable' });
      if (needsProcessStop(run.status)) {
        await this.deps.repo.update(id, { cancelRequestedAt: new Date() }, { transaction });
      } else {
        await this.finish(run, 'canceled', { statusReason: `canceled by ${actor.name}` }, { transaction });
      }
      await this.deps.audit.record(actor, 'run.cancel', { type: 'run', id }, { status: run.status }, { transaction });
      return this.deps.repo.get(actor.tenantId, id, transaction);
    });
    this.deps.events.emit({ type: 'status', runId: id, status: result!.status });
    return result!;
  }

  /**
   * Moves a run to an ending status, releasing what it held (actor lock, saved plan), and tells
   * `run.applied` / `run.errored` in the same transaction: once per run, since only the update
   * that ended the run publishes.
   */
  async finish(run: Run, status: RunStatus, values: Partial<Run>, options: { transaction?: Transaction; onlyIfStatus?: RunStatus[] } = {}): Promise<boolean> {
    const { transaction, onlyIfStatus } = options;
    // With onlyIfStatus the update is the claim: when another replica (or the run itself) ended
    // it first, nothing more happens. The update, the actor locks' release (unless it stays
    // planned) and the saved plan's deletion are one statement (RunRepository.end); only an end
    // that is told (applied, errored) needs a transaction around it.
    const end = (t?: Transaction) =>
      this.deps.repo.end(run.id, { ...values, status, finishedAt: new Date() }, { transaction: t, onlyIfStatus, releaseActorLocks: status !== 'planned' });
    const told = status === 'applied' || status === 'errored';
    const ended = !told
      ? await end(transaction)
      : await inTransaction(this.deps.sequelize, transaction, async (t) => {
          if (!(await end(t))) return false;
          const kind = status === 'applied' ? 'run.applied' : 'run.errored';
          await this.notifier.publish({ kind, tenantId: run.tenantId, projectId: run.projectId, runId: run.id }, { transaction: t, dedupeKey: `${kind}:${run.id}` });
          await this.deps.outcomes?.runFinished({ ...run, ...values }, status, t);
          return true;
        });
    if (!ended) return false;
    this.metrics.runStatus(run, status);
    if (!transaction) this.deps.events.emit({ type: 'status', runId: run.id, status });
    return true;
  }

  /** Tells live followers and waiters that a run moved to `status` (after the change is committed). */
  notify(run: Run, status: RunStatus): void {
    this.metrics.runStatus(run, status);
    this.deps.events.emit({ type: 'status', runId: run.id, status });
  }

  /** Waits until every run is settled (finished, or planned and waiting for a human). */
  async waitForSettled(actor: Actor, ids: string[], timeoutMs: number): Promise<Run[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Listening before reading: a run that settles while it is read wakes this loop at once,
      // instead of after the 1 s fallback.
      const stop = new AbortController();
      const changed = this.deps.events.next(ids, { timeoutMs: 1000, type: 'status', signal: stop.signal });
      try {
        const runs = await this.byIds(actor, ids);
        if (runs.every((r) => isSettled(r.status)) || Date.now() > deadline) return runs;
        await changed;
      } finally {
        stop.abort();
      }
    }
  }

  /** The refusal of a decision that lost: says what the run is now (and why, e.g. superseded by which run). */
  private async alreadyDecided(id: string, transaction?: Transaction, code = 'run.not_approvable', verb = 'approved'): Promise<PreconditionFailedError> {
    const now = await this.deps.repo.getById(id, transaction);
    const why = now?.statusReason ? ` (${now.statusReason})` : '';
    return new PreconditionFailedError(`run ${id} is ${now?.status ?? 'gone'}${why}; only a planned run can be ${verb}, and nothing was changed`, { code });
  }

  /** Automated callers (scheduler agents, AI agents) may plan freely; applying needs a human. */
  private refuseUnattended(actor: Actor): never {
    throw new NotAllowedError(`${actor.name} is an automated agent: an apply needs a human's approval`, { code: 'run.human_approval_required' });
  }

  /** A new plan of the same project by the same holder replaces its earlier, unapplied ones. */
  private async supersede(tenantId: string, t: RunTarget, holder: LockHolder, newId: string, transaction: Transaction): Promise<void> {
    const prNumber = holder.kind === 'pull_request' ? holder.prNumber : null;
    for (const old of await this.deps.repo.findWaiting(tenantId, t, prNumber, transaction)) {
      await this.finish(old, 'discarded', { statusReason: `superseded by run ${newId}` }, { transaction });
    }
  }

  private newRun(actor: Actor, req: EnqueueRequest, t: RunTarget, id: string, batchId: string, dependsOn: string[]) {
    return {
      id, tenantId: actor.tenantId, projectId: t.projectId ?? null, environmentId: t.environmentId ?? null,
      title: req.title ?? '', operation: req.operation, source: req.source, status: 'pending' as const,
      repoFullName: t.repoFullName, repoUrl: t.repoUrl, dir: t.dir, workspace: t.workspace, projectName: t.projectName,
      stateName: t.stateName ?? null, batchId, dependsOnRunIds: dependsOn, applyRequirements: t.applyRequirements ?? [], runnerPoolId: t.runnerPoolId ?? null, ref: t.ref, commitSha: t.commitSha,
      prNumber: t.prNumber ?? null, prUrl: t.prUrl ?? null, extraArgs: req.extraArgs,
      // A project's auto_apply lets a person skip the approval, never an automated actor without a policy.
      autoApply: req.autoApply || (!!t.autoApply && mayApplyWithoutApproval(actor)),
      keepPlan: !!req.keepPlan && !t.prNumber,
      actorKind: actor.kind, actorId: actor.tokenId ?? actor.userId ?? null, actorName: actor.name, via: actor.via,
      scheduledAt: req.scheduledAt ?? null, queuedAt: new Date(),
    };
  }
}
