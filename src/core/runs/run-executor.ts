import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logger.js';
import type { RunLogWriter } from './run-logs.js';
import type { Run } from './run.model.js';
import type { RunExecution } from './run-worker.js';
import { RunCanceled, type ExecutorDeps, type PreparedProject, type StepContext } from './step-context.js';
import { ACTIVE_STATUSES, phaseOnClaim, UNSUCCESSFUL_STATUSES } from './run-status.js';
import { prepareProject, withPhaseCredential } from './prepare-project.js';
import { applyPlan, makePlan } from './terraform-steps.js';

/**
 * Executes one claimed run on this replica: check out the commit, prepare terraform (backend
 * override, init, workspace), then plan (and apply when auto-applied) or apply the saved plan.
 * Run-level failures end the run `errored` with the reason; nothing escapes.
 */
export class RunExecutor implements RunExecution {
  constructor(private readonly deps: ExecutorDeps) {}

  async execute(run: Run, signal: AbortSignal): Promise<void> {
    const log = this.deps.log.child({ runId: run.id });
    const writer = await this.deps.logs.writer(run.id);
    // Per execution, not per run: a run's plan execution may still be cleaning up when its apply starts.
    const scratch = path.join(this.deps.scratchDir, `${run.id}-${randomBytes(4).toString('hex')}`);
    let lease: { release(): Promise<void> } | undefined;
    try {
      // Queued while this server (or another replica) had a sandbox: still never run unsandboxed.
      await this.deps.runs.assertMayRun(run.tenantId);
      const blocked = await this.blockedByDependency(run);
      if (blocked) {
        await this.deps.runs.finish(run, 'errored', { error: blocked, statusReason: blocked });
        return;
      }
      await mkdir(scratch, { recursive: true, mode: 0o700 });
      const checkout = await this.deps.workingCopies.checkout(
        {
          tenantId: run.tenantId, repoFullName: run.repoFullName, cloneUrl: run.repoUrl || this.deps.repos.cloneUrl(run.repoFullName),
          key: run.prNumber ? `pr-${run.prNumber}` : `ref-${run.ref}`, workspace: run.workspace,
          commitSha: run.commitSha || undefined, ref: run.ref || undefined,
          credentials: await this.deps.repos.cloneCredentials(run.repoFullName),
        },
        signal,
      );
      lease = checkout;
      if (!run.commitSha) await this.deps.repo.update(run.id, { commitSha: checkout.commitSha });
      run = { ...run, commitSha: checkout.commitSha };
      const project = await prepareProject(this.context(run, writer, signal), checkout.dir, scratch);
      if (phaseOnClaim(run.status) === 'plan') {
        const next = await makePlan(this.context(run, writer, signal), project, scratch);
        if (next === 'apply') await this.apply({ ...run, status: 'applying' }, project, writer, signal, scratch);
      } else {
        await this.apply(run, project, writer, signal, scratch);
      }
    } catch (err) {
      await this.fail(run, err, signal, writer, log);
    } finally {
      await writer.close().catch((err) => log.warn({ err }, 'could not flush run output'));
      await lease?.release().catch((err) => log.warn({ err }, 'could not release working copy'));
      await rm(scratch, { recursive: true, force: true });
    }
  }

  private async apply(run: Run, project: PreparedProject, writer: RunLogWriter, signal: AbortSignal, scratch: string): Promise<void> {
    const stale = await this.deps.freshness.check(run);
    if (stale) {
      writer.append(`\nRefusing to apply: ${stale}. Plan again.\n`);
      await this.deps.runs.finish(run, 'errored', { error: `${stale}; plan again`, statusReason: 'plan is stale' });
      return;
    }
    const plan = await this.deps.plans.load(run.id);
    if (!plan) {
      await this.deps.runs.finish(run, 'errored', { error: 'the saved plan is missing; plan again', statusReason: 'plan missing' });
      return;
    }
    const planFile = path.join(scratch, 'apply.tfplan');
    await writeFile(planFile, plan, { mode: 0o600 });
    const ctx = this.context(run, writer, signal);
    await applyPlan(ctx, withPhaseCredential(ctx, project, 'apply'), planFile);
  }

  private async fail(run: Run, err: unknown, signal: AbortSignal, writer: RunLogWriter, log: Logger): Promise<void> {
    const canceled = signal.aborted || err instanceof RunCanceled;
    const reason = canceled ? String((signal.reason as Error)?.message ?? 'canceled') : (err as Error).message;
    // The reason can quote terraform's output (values from the plan): it goes to the sealed run
    // output and error only; the log says what kind of failure it was.
    if (!canceled) log.warn({ errorType: (err as Error)?.name ?? typeof err, code: (err as { code?: string })?.code }, 'run errored; the reason is in the run output');
    writer.append(`\n${canceled ? 'Run canceled' : 'Error'}: ${reason}\n`);
    const values = canceled ? { statusReason: reason } : { error: reason, statusReason: 'run failed' };
    await this.deps.runs.finish(run, canceled ? 'canceled' : 'errored', values, { onlyIfStatus: [...ACTIVE_STATUSES] });
  }

  private async blockedByDependency(run: Run): Promise<string | null> {
    if (!run.dependsOnRunIds.length) return null;
    const deps = await this.deps.repo.findByIds(run.dependsOnRunIds);
    const failed = deps.find((d) => UNSUCCESSFUL_STATUSES.includes(d.status));
    return failed ? `not run: it depends on run ${failed.id} (${failed.dir}), which ended ${failed.status}` : null;
  }

  private context(run: Run, writer: RunLogWriter, signal: AbortSignal): StepContext {
    return { run, writer, signal, deps: this.deps };
  }
}
