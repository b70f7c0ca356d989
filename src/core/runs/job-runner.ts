import { randomBytes } from 'node:crypto';
import { mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logger.js';
import { InputError } from '../errors.js';
import { writeBackendOverride } from '../terraform/backend-override.js';
import { RUN_ID_ENV } from '../terraform/orphan-group.js';
import { parseApplyOutput } from '../terraform/plan-parser.js';
import { attributeChanges } from '../terraform/plan-attribute-changes.js';
import { parseShowJson } from '../terraform/show-json.js';
import { planOutcome, workspaceSelectArgs } from '../terraform/terraform-args.js';
import type { TerraformResult, TerraformRunner } from '../terraform/terraform-runner.js';
import type { WorkingCopies } from '../terraform/working-copy.js';
import { assertExtraArgPathsInside } from './extra-args.js';
import { PLAN_FILE, type Job, type JobSink, type PlannedResult } from './job.js';

export interface JobRunnerDeps {
  workingCopies: WorkingCopies;
  /** the same TerraformRunner (ProcessTerraformRunner, sandboxed) in-process and in `atlantas runner` */
  terraform: TerraformRunner;
  /** scratch space for plan files */
  scratchDir: string;
  /** the server URL a job's backend path is resolved against (loopback in-process, ATLANTAS_URL remotely) */
  serverUrl(): string;
  log: Logger;
}

/** Thrown when the run was canceled while terraform ran. */
export class JobCanceled extends Error {}

interface Prepared {
  dir: string;
  /** the sandbox lets terraform write these only: the working copy root and the job's scratch dir (plan files) */
  writableDirs: string[];
  env: Record<string, string>;
  backendOverridden: boolean;
}

/**
 * Executes one job: checkout, backend override, init, workspace, then plan (+ show -json) and,
 * when the sink says so, apply; or the apply of the handed plan file. Everything it learns goes
 * to the sink; it holds no database and no key. A failure ends the job `errored` through the sink.
 */
export class JobRunner {
  constructor(private readonly deps: JobRunnerDeps) {}

  async execute(job: Job, sink: JobSink, signal: AbortSignal): Promise<void> {
    const scratch = path.join(this.deps.scratchDir, `${job.runId}-${randomBytes(4).toString('hex')}`);
    let lease: { release(): Promise<void> } | undefined;
    try {
      await mkdir(scratch, { recursive: true, mode: 0o700 });
      const checkout = await this.deps.workingCopies.checkout(
        {
          tenantId: job.repo.tenantId, repoFullName: job.repo.fullName, cloneUrl: job.repo.cloneUrl, key: job.repo.key,
          workspace: job.workspace, commitSha: job.repo.commitSha, ref: job.repo.ref, credentials: job.repo.credentials,
        },
        signal,
      );
      lease = checkout;
      const project = await this.prepare(job, checkout.dir, checkout.commitSha, sink, signal, scratch);
      if (job.phase === 'plan') await this.plan(job, project, sink, signal, scratch);
      else await this.applyHanded(job, project, sink, signal, scratch);
    } catch (err) {
      const canceled = signal.aborted || err instanceof JobCanceled;
      const reason = canceled ? String((signal.reason as Error)?.message ?? 'canceled') : (err as Error).message;
      if (!canceled) this.deps.log.warn({ runId: job.runId, errorType: (err as Error)?.name }, 'job errored; the reason is in the run output');
      sink.appendLog(`\n${canceled ? 'Run canceled' : 'Error'}: ${reason}\n`);
      await sink.flush();
      await sink.finished(canceled ? { status: 'canceled', statusReason: reason } : { status: 'errored', error: reason, statusReason: 'run failed' });
    } finally {
      await sink.flush().catch(() => undefined);
      await lease?.release().catch((err) => this.deps.log.warn({ err }, 'could not release working copy'));
      await rm(scratch, { recursive: true, force: true });
    }
  }

  private async prepare(job: Job, checkoutDir: string, commitSha: string, sink: JobSink, signal: AbortSignal, scratch: string): Promise<Prepared> {
    const root = await realpath(checkoutDir);
    const dir = await realpath(path.join(root, job.dir)).catch(() => null);
    if (!dir || (dir !== root && !dir.startsWith(root + path.sep)) || !(await stat(dir)).isDirectory()) {
      throw new InputError(`directory "${job.dir}" does not exist in ${job.repo.fullName} at ${commitSha.slice(0, 8)}`);
    }
    await assertExtraArgPathsInside(job.extraArgs, dir, root);
    const override = job.backend
      ? await writeBackendOverride(dir, { address: this.deps.serverUrl() + job.backend.path, username: job.backend.username, password: job.backend.password, checkoutRoot: root })
      : { overridden: false, env: {} };
    await sink.checkedOut({ commitSha, backendOverridden: override.overridden });
    const project = { dir, writableDirs: [root, scratch], env: { ...job.env, ...override.env }, backendOverridden: override.overridden };
    sink.setPhase('init');
    const init = await this.terraform(job, project, job.steps.init, sink, signal);
    if (init.exitCode !== 0) throw new Error(`terraform init failed: ${errorText(init)}`);
    const select = workspaceSelectArgs(job.workspace, { backendOverridden: override.overridden });
    if (select) {
      const ws = await this.terraform(job, project, select, sink, signal);
      if (ws.exitCode !== 0) throw new Error(`terraform workspace select ${job.workspace} failed: ${errorText(ws)}`);
    }
    return project;
  }

  private async plan(job: Job, project: Prepared, sink: JobSink, signal: AbortSignal, scratch: string): Promise<void> {
    sink.setPhase('plan');
    const planFile = path.join(scratch, 'plan.tfplan');
    const result = await this.terraform(job, project, withPlanFile(job.steps.plan, planFile), sink, signal);
    const outcome = planOutcome(result.exitCode);
    if (outcome === 'error') {
      await sink.finished({ status: 'errored', error: errorText(result), statusReason: 'terraform plan failed' });
      return;
    }
    const show = await this.terraform(job, project, withPlanFile(job.steps.show, planFile), sink, signal, true);
    if (show.exitCode !== 0) throw new Error(`terraform show -json failed: ${errorText(show)}`);
    const d = parseShowJson(show.stdout);
    const attributes = attributeChanges(show.stdout);
    const planned: PlannedResult = {
      hasChanges: outcome === 'changes', summary: d.summary, toAdd: d.toAdd, toChange: d.toChange, toDestroy: d.toDestroy, toImport: d.toImport,
      resourceChanges: d.resourceChanges.map((c) => ({ address: c.address, action: c.action, changes: attributes.get(c.address) ?? [] })),
      resourceDrift: d.resourceDrift.map((c) => ({ address: c.address, action: c.action })),
    };
    const next = await sink.planned(planned, await readFile(planFile));
    if (!next.apply) return;
    // An auto-applied run trades its plan credential, which cannot write state, for the apply one.
    const env = next.statePassword && project.backendOverridden ? { ...project.env, TF_HTTP_PASSWORD: next.statePassword } : project.env;
    await this.apply(job, { ...project, env }, planFile, sink, signal);
  }

  private async applyHanded(job: Job, project: Prepared, sink: JobSink, signal: AbortSignal, scratch: string): Promise<void> {
    if (!job.planFile) throw new InputError('an apply job carries the saved plan; this one has none');
    const planFile = path.join(scratch, 'apply.tfplan');
    await writeFile(planFile, Buffer.from(job.planFile, 'base64'), { mode: 0o600 });
    await this.apply(job, project, planFile, sink, signal);
  }

  /** Applies exactly the plan file; never a fresh plan. */
  private async apply(job: Job, project: Prepared, planFile: string, sink: JobSink, signal: AbortSignal): Promise<void> {
    sink.setPhase('apply');
    const result = await this.terraform(job, project, withPlanFile(job.steps.apply, planFile), sink, signal);
    if (result.exitCode !== 0) {
      await sink.finished({ status: 'errored', error: errorText(result), statusReason: 'terraform apply failed' });
      return;
    }
    await sink.finished({ status: 'applied', statusReason: parseApplyOutput(result.combined).summary ?? 'Apply complete!' });
  }

  /**
   * Runs terraform for a step; output streams into the sink unless `quiet` (plan JSON holds
   * secrets). The run's id is in its environment so that recovery can recognise a leftover.
   */
  private async terraform(job: Job, project: Prepared, args: string[], sink: JobSink, signal: AbortSignal, quiet = false): Promise<TerraformResult> {
    const result = await this.deps.terraform.run({
      args, cwd: project.dir, writableDirs: project.writableDirs, env: { ...project.env, [RUN_ID_ENV]: job.runId }, signal, timeoutMs: job.timeoutMs,
      onOutput: quiet ? undefined : (chunk) => sink.appendLog(chunk),
      onSpawn: (pid) => sink.spawned?.(pid),
    });
    await sink.flush(); // all of a command's output is stored before the run's status moves
    if (result.canceled || signal.aborted) throw new JobCanceled(String((signal.reason as Error)?.message ?? 'canceled'));
    if (result.timedOut) throw new Error(`terraform ${args[0]} did not finish within ${Math.round(job.timeoutMs / 1000)}s (ATLANTAS_RUN_TIMEOUT)`);
    return result;
  }
}

function withPlanFile(argv: string[], planFile: string): string[] {
  return argv.map((a) => (a === PLAN_FILE ? planFile : a));
}

/** The error terraform reported: its `Error:` blocks, else the end of its output. */
export function errorText(result: TerraformResult): string {
  const source = result.stderr.trim() || result.combined.trim();
  const start = source.indexOf('Error: ');
  const text = start >= 0 ? source.slice(start) : source;
  return (text.length > 4000 ? '…' + text.slice(-4000) : text) || `terraform exited with code ${result.exitCode}`;
}
