import type { Logger } from '../../logger.js';
import type { RunPhase } from '../auth/run-credentials.js';
import type { PlanFreshness, StateSerials } from './plan-freshness.js';
import type { PendingAnswers } from './pending-answers.js';
import type { PlanStore } from './plan-store.js';
import type { RunsExecutingHere } from './runs-executing-here.js';
import type { AfterPlan, CheckedOut, JobOutcome, JobSink, PlanDetails, PlannedResult } from './job.js';
import type { RunLogWriter } from './run-logs.js';
import type { Run } from './run.model.js';
import type { RunRepository } from './run.repository.js';
import { ACTIVE_STATUSES, isSpeculative, statusAfterPlan } from './run-status.js';
import type { RunsService } from './runs.service.js';

export interface RunJobSinkDeps {
  repo: RunRepository;
  runs: RunsService;
  plans: PlanStore;
  freshness: PlanFreshness;
  states: StateSerials;
  runToken(run: Run, phase: RunPhase): string;
  log: Logger;
  /** the callers of this process answering for a run (work after the answer waits for them) */
  answers?: PendingAnswers;
  /** set when the job runs in this process: the run leaves it before its status changes */
  executingHere?: RunsExecutingHere;
}

/** At most this long does work after the answer wait for it to be written. */
const ANSWER_WAIT_MAX_MS = 2_000;

/**
 * The server's side of a job: where a runner's output and results land in the run's record.
 * The rules stay here (what the plan is made against, whether to auto-apply, which status
 * follows), whether the job ran in this process or on a remote runner.
 */
export class RunJobSink implements JobSink {
  private recorded: Promise<unknown> = Promise.resolve();
  private backendOverridden = false;

  /** The state's serial before the plan, read while the job checks out (a query off the path); checkedOut records it. */
  private stateBefore: Promise<{ serial: number; lineage: string } | null> | undefined;

  /** `resumed`: a sink made again for a later request of the same job (remote runners): what checkedOut learned is read back from the run */
  /** in-process, the state before the plan was read when the sink was made (below): recording it may overlap terraform's start */
  readonly checkedOutMayOverlap: boolean;

  constructor(private readonly deps: RunJobSinkDeps, private run: Run, private readonly writer: RunLogWriter, resumed = false) {
    this.checkedOutMayOverlap = !resumed;
    if (resumed) this.backendOverridden = !!run.stateName && run.stateSerialAtPlan !== null;
    else if (run.status === 'planning' && run.stateName) {
      // Terraform has not run yet, so this is the state the plan is made against; a failure is
      // raised where checkedOut awaits it.
      this.stateBefore = deps.states.current(run.tenantId, run.stateName, run.workspace);
      this.stateBefore.catch(() => undefined);
    }
  }

  appendLog(chunk: string): void {
    this.writer.append(chunk);
  }

  setPhase(phase: 'init' | 'plan' | 'apply'): void {
    this.writer.setPhase(phase);
  }

  async flush(): Promise<void> {
    await this.recorded;
    await this.writer.flush();
  }

  spawned(pid: number): void {
    this.recorded = this.deps.repo.update(this.run.id, { runnerPid: pid }).catch((err) => this.deps.log.warn({ err, runId: this.run.id }, 'could not record the terraform pid'));
  }

  async checkedOut({ commitSha, backendOverridden }: CheckedOut): Promise<void> {
    this.backendOverridden = backendOverridden;
    const { run, deps } = this;
    if (!run.commitSha) await deps.repo.update(run.id, { commitSha });
    this.run = { ...run, commitSha };
    if (run.status !== 'planning') return;
    const before = backendOverridden && run.stateName ? await (this.stateBefore ?? deps.states.current(run.tenantId, run.stateName, run.workspace)) : null;
    await deps.repo.update(run.id, {
      stateSerialAtPlan: backendOverridden ? (before?.serial ?? 0) : null,
      stateLineageAtPlan: before?.lineage ?? null,
      stateName: backendOverridden ? run.stateName : null,
    });
    this.run = { ...this.run, stateSerialAtPlan: backendOverridden ? (before?.serial ?? 0) : null, stateLineageAtPlan: before?.lineage ?? null, stateName: backendOverridden ? run.stateName : null };
  }

  /** Stores the encrypted plan and decides: planned (wait for approval), finished, or on to apply. */
  /** `planFile` null: already stored (a remote runner uploads it first). */
  async planned(d: PlannedResult, planFile: Buffer | null): Promise<AfterPlan> {
    const { run, deps } = this;
    deps.executingHere?.leave(run.id); // the plan's terraform is done; the status moves on below
    const speculative = isSpeculative(run);
    if (d.hasChanges && !speculative && planFile) await deps.plans.save(run.tenantId, run.id, planFile);
    const wantsApply = d.hasChanges && run.autoApply && !speculative && run.operation !== 'plan';
    // An auto-apply outside its project's change window stays planned, saying why, for a person to apply inside one.
    const outsideWindow = wantsApply ? await deps.runs.changeRefusal(run) : null;
    const proceed = wantsApply && !outsideWindow;
    const values = {
      hasChanges: d.hasChanges, summary: d.summary, resourcesAdded: d.toAdd, resourcesChanged: d.toChange,
      resourcesDestroyed: d.toDestroy, resourcesImported: d.toImport, plannedAt: new Date(),
      resourceChanges: d.resourceChanges, resourceDrift: d.resourceDrift,
      ...(outsideWindow ? { statusReason: outsideWindow } : {}),
    };
    if (outsideWindow) this.writer.append(`\nNot applying automatically: ${outsideWindow}.\n`);
    const status = statusAfterPlan(d.hasChanges, proceed, speculative);
    if (status === 'planned_and_finished') {
      await deps.runs.finish(run, status, values);
      return { apply: false };
    }
    // An auto-applied run goes straight on to applying: it never sits claimable in `confirmed`.
    await deps.runs.recordPlanned(run, values, proceed);
    if (!proceed) return { apply: false };
    this.run = { ...this.run, ...values, status: 'applying' };
    const stale = await deps.freshness.check(this.run);
    if (stale) {
      this.writer.append(`\nRefusing to apply: ${stale}. Plan again.\n`);
      await deps.runs.finish(this.run, 'errored', { error: `${stale}; plan again`, statusReason: 'plan is stale' });
      return { apply: false };
    }
    const statePassword = this.backendOverridden && run.stateName ? deps.runToken(this.run, 'apply') : undefined;
    deps.executingHere?.enter(run, 'applying'); // it is applying, and nothing but this job moves it on
    return { apply: true, statePassword };
  }

  async planDetails(d: PlanDetails): Promise<void> {
    await recordPlanDetails(this.deps.repo, this.run.id, d);
  }

  async answered(signal: AbortSignal): Promise<void> {
    await this.deps.answers?.answered(this.run.id, ANSWER_WAIT_MAX_MS, signal);
  }

  async finished(outcome: JobOutcome): Promise<void> {
    this.deps.executingHere?.leave(this.run.id);
    const values = outcome.status === 'applied' || outcome.status === 'canceled'
      ? { statusReason: outcome.statusReason ?? null }
      : { error: outcome.error ?? outcome.statusReason ?? 'the run failed', statusReason: outcome.statusReason ?? 'run failed' };
    await this.deps.runs.finish(this.run, outcome.status, values, { onlyIfStatus: [...ACTIVE_STATUSES] });
  }
}

/**
 * show -json ran after the answer: the resource lists, and its counts (the plan file's word is
 * final). Only for a run planned without them; the run may have ended since, which is the point.
 */
export async function recordPlanDetails(repo: RunRepository, runId: string, d: PlanDetails): Promise<void> {
  await repo.update(runId, {
    summary: d.summary, resourcesAdded: d.toAdd, resourcesChanged: d.toChange, resourcesDestroyed: d.toDestroy, resourcesImported: d.toImport,
    resourceChanges: d.resourceChanges, resourceDrift: d.resourceDrift,
  });
}
