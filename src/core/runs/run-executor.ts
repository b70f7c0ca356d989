import type { Logger } from '../../logger.js';
import type { RepoSource } from '../ports/repo-source.js';
import type { RunPhase } from '../auth/run-credentials.js';
import type { JobRunner } from './job-runner.js';
import type { RunLogs } from './run-logs.js';
import type { Run } from './run.model.js';
import type { RunExecution } from './run-worker.js';
import { RunJobSink, type RunJobSinkDeps } from './run-job-sink.js';
import { buildJob, type JobBuilderDeps } from './run-job.js';
import type { Job } from './job.js';
import { ACTIVE_STATUSES, phaseOnClaim, UNSUCCESSFUL_STATUSES } from './run-status.js';

export interface ExecutorDeps extends RunJobSinkDeps {
  logs: RunLogs;
  repos: RepoSource;
  jobs: JobRunner;
  runTimeoutMs: number;
  terraformEnv: Record<string, string>;
  cloudEnv?: JobBuilderDeps['cloudEnv'];
  log: Logger;
}

/**
 * The server's half of executing a claimed run: the decisions that need the database (blocked
 * by a dependency, the saved plan still fresh and present) and the job built from the run.
 * `prepareJob` serves remote runners too; `execute` runs the job here through the same
 * JobRunner a remote runner uses, with the run's record as its sink.
 */
export class RunExecutor implements RunExecution {
  constructor(private readonly deps: ExecutorDeps) {}

  async execute(run: Run, signal: AbortSignal): Promise<void> {
    const log = this.deps.log.child({ runId: run.id });
    // The output's writer is opened (a query) while the job is prepared (its own queries); what
    // preparing says waits for the writer.
    const said: string[] = [];
    const [opened, prepared] = await Promise.allSettled([
      this.deps.logs.writer(run.id),
      // Queued while this server (or another replica) had a sandbox: still never run unsandboxed.
      this.deps.runs.assertMayRun(run.tenantId).then(() => this.prepareJob(run, (text) => said.push(text))),
    ]);
    if (opened.status === 'rejected') throw opened.reason;
    const writer = opened.value;
    for (const text of said) writer.append(text);
    try {
      if (prepared.status === 'rejected') throw prepared.reason;
      const job = prepared.value;
      if (!job) return;
      if (run.status === 'planning' || run.status === 'applying') this.deps.executingHere?.enter(run, run.status);
      await this.deps.jobs.execute(job, new RunJobSink(this.deps, run, writer), signal);
    } catch (err) {
      this.deps.executingHere?.leave(run.id); // before the status changes
      writer.append(`\nError: ${(err as Error).message}\n`);
      await this.deps.runs.finish(run, 'errored', { error: (err as Error).message, statusReason: 'run failed' }, { onlyIfStatus: [...ACTIVE_STATUSES] });
    } finally {
      this.deps.executingHere?.leave(run.id);
      await writer.close().catch((err) => log.warn({ err }, 'could not flush run output'));
    }
  }

  /** The job of a claimed run, or null when the run ended here (a failed dependency, a stale or missing plan). */
  async prepareJob(run: Run, say: (text: string) => void): Promise<Job | null> {
    const blocked = await this.blockedByDependency(run);
    if (blocked) {
      await this.deps.runs.finish(run, 'errored', { error: blocked, statusReason: blocked });
      return null;
    }
    const phase: RunPhase = phaseOnClaim(run.status);
    if (phase === 'plan') return buildJob(this.deps, run, phase);
    const stale = await this.deps.freshness.check(run);
    if (stale) {
      say(`\nRefusing to apply: ${stale}. Plan again.\n`);
      await this.deps.runs.finish(run, 'errored', { error: `${stale}; plan again`, statusReason: 'plan is stale' });
      return null;
    }
    const plan = await this.deps.plans.load(run.id);
    if (!plan) {
      await this.deps.runs.finish(run, 'errored', { error: 'the saved plan is missing; plan again', statusReason: 'plan missing' });
      return null;
    }
    return buildJob(this.deps, run, phase, plan);
  }

  private async blockedByDependency(run: Run): Promise<string | null> {
    if (!run.dependsOnRunIds.length) return null;
    const deps = await this.deps.repo.findByIds(run.dependsOnRunIds);
    const failed = deps.find((d) => UNSUCCESSFUL_STATUSES.includes(d.status));
    return failed ? `not run: it depends on run ${failed.id} (${failed.dir}), which ended ${failed.status}` : null;
  }
}
