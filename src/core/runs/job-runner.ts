import { randomBytes } from 'node:crypto';
import { mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logger.js';
import { InputError } from '../errors.js';
import { writeBackendOverride } from '../terraform/backend-override.js';
import { archiveSha256, extractArchive } from '../terraform/config-archive.js';
import { resolveKey } from '../terraform/checkout-request.js';
import { initFingerprint } from '../terraform/init-fingerprint.js';
import { RUN_ID_ENV } from '../terraform/orphan-group.js';
import { parseApplyOutput, parsePlanOutput } from '../terraform/plan-parser.js';
import { attributeChanges } from '../terraform/plan-attribute-changes.js';
import { parseShowJson, type ResourceChange } from '../terraform/show-json.js';
import { planOutcome, workspaceSelectArgs } from '../terraform/terraform-args.js';
import type { TerraformResult, TerraformRunner } from '../terraform/terraform-runner.js';
import type { WorkingCopies } from '../terraform/working-copy.js';
import { assertExtraArgPathsInside } from './extra-args.js';
import { PLAN_FILE, type Job, type JobSink, type PlanDetails, type PlannedResult, type ResourceChangeSummary } from './job.js';
import { RedactingSink, SecretRedactor } from './secret-redactor.js';

export interface JobRunnerDeps {
  workingCopies: WorkingCopies;
  /** the same TerraformRunner (ProcessTerraformRunner, sandboxed) in-process and in `atlantas runner` */
  terraform: TerraformRunner;
  /** scratch space for plan files */
  scratchDir: string;
  /** the server URL a job's backend path is resolved against (loopback in-process, ATLANTAS_URL remotely) */
  serverUrl(): string;
  /**
   * Atlantas's own provider plugin cache (ATLANTAS_TF_PLUGIN_CACHE): each tenant gets its own
   * directory under it as TF_PLUGIN_CACHE_DIR, the only part the sandbox lets its runs see and
   * write, so one tenant's run cannot plant a provider binary another tenant's runs would execute.
   */
  pluginCacheRoot?: string;
  log: Logger;
}

/** Thrown when the run was canceled while terraform ran. */
export class JobCanceled extends Error {}

interface Prepared {
  dir: string;
  /** the sandbox lets terraform write these only: the working copy root and the job's scratch dir (plan files) */
  writableDirs: string[];
  /** ...but not the checkout's .git: the next run's checkout must be what git fetched, whatever this run did */
  readOnlyDirs: string[];
  env: Record<string, string>;
  backendOverridden: boolean;
  /** checkedOut's recording (it may overlap terraform's start): awaited before the plan or the job's end is reported */
  recorded: Promise<void>;
}

/**
 * Executes one job: checkout, backend override, init (skipped when nothing it depends on changed),
 * workspace, then plan (+ show -json, before or after the plan is reported: job.planDetails) and,
 * when the sink says so, apply; or the apply of the handed plan file. Everything it learns goes
 * to the sink; it holds no database and no key. A failure ends the job `errored` through the sink.
 */
export class JobRunner {
  /** project dir → init fingerprint after this runner's last successful init there (kept in memory, out of the sandbox's reach) */
  private readonly initialised = new Map<string, string>();

  constructor(private readonly deps: JobRunnerDeps) {}

  async execute(job: Job, reportTo: JobSink, signal: AbortSignal): Promise<void> {
    // The job's own secrets never leave in what it reports, whoever prints them.
    const sink = job.secrets.length ? new RedactingSink(reportTo, new SecretRedactor(job.secrets)) : reportTo;
    const scratch = path.join(this.deps.scratchDir, `${job.runId}-${randomBytes(4).toString('hex')}`);
    let lease: { release(): Promise<void> } | undefined;
    // checkedOut's recording when it overlaps terraform (sink.checkedOutMayOverlap): settled before anything else is reported
    let recorded: Promise<void> = Promise.resolve();
    try {
      await mkdir(scratch, { recursive: true, mode: 0o700 });
      const checkout = job.archive ? await this.unpack(job, job.archive, scratch, signal) : await this.deps.workingCopies.checkout(
        {
          tenantId: job.repo.tenantId, repoFullName: job.repo.fullName, cloneUrl: job.repo.cloneUrl, key: job.repo.key,
          workspace: job.workspace, commitSha: job.repo.commitSha, ref: job.repo.ref, credentials: job.repo.credentials,
          seedKey: resolveKey(job.repo.key),
        },
        signal,
      );
      lease = checkout;
      const project = await this.prepare(job, checkout.dir, checkout.commitSha, sink, signal, scratch, (p) => (recorded = p));
      if (job.phase === 'plan') await this.plan(job, project, sink, signal, scratch);
      else await this.applyHanded(job, project, sink, signal, scratch);
    } catch (err) {
      const canceled = signal.aborted || err instanceof JobCanceled;
      const reason = canceled ? String((signal.reason as Error)?.message ?? 'canceled') : (err as Error).message;
      if (!canceled) this.deps.log.warn({ runId: job.runId, errorType: (err as Error)?.name }, 'job errored; the reason is in the run output');
      await recorded.catch(() => undefined); // its failure, if any, is what errored the job: it is in `err`
      sink.appendLog(`\n${canceled ? 'Run canceled' : 'Error'}: ${reason}\n`);
      await sink.flush();
      await sink.finished(canceled ? { status: 'canceled', statusReason: reason } : { status: 'errored', error: reason, statusReason: 'run failed' });
    } finally {
      await sink.flush().catch(() => undefined);
      await lease?.release().catch((err) => this.deps.log.warn({ err }, 'could not release working copy'));
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * An archive job's working copy: the configuration fetched from the server with the run's
   * credential, checked against the SHA-256 the run was queued with, and extracted under the
   * archive rules into this job's scratch dir (gone when the job ends).
   */
  private async unpack(job: Job, archive: NonNullable<Job['archive']>, scratch: string, signal: AbortSignal): Promise<{ dir: string; commitSha: string; release(): Promise<void> }> {
    const res = await fetch(this.deps.serverUrl() + archive.path, { headers: { authorization: `Bearer ${archive.token}` }, signal });
    if (!res.ok) throw new Error(`could not fetch the configuration archive (HTTP ${res.status})`);
    const body = Buffer.from(await res.arrayBuffer());
    if (archiveSha256(body) !== archive.sha256) throw new Error('the configuration archive does not match the one the run was queued with');
    const dir = path.join(scratch, 'configuration');
    await extractArchive(body, dir);
    return { dir, commitSha: archive.sha256, release: async () => undefined };
  }

  private async prepare(job: Job, checkoutDir: string, commitSha: string, sink: JobSink, signal: AbortSignal, scratch: string, recording: (p: Promise<void>) => void): Promise<Prepared> {
    const root = await realpath(checkoutDir);
    const dir = await realpath(path.join(root, job.dir)).catch(() => null);
    if (!dir || (dir !== root && !dir.startsWith(root + path.sep)) || !(await stat(dir)).isDirectory()) {
      throw new InputError(`directory "${job.dir}" does not exist in ${job.repo.fullName} at ${commitSha.slice(0, 8)}`);
    }
    await assertExtraArgPathsInside(job.extraArgs, dir, root);
    const override = job.backend
      ? await writeBackendOverride(dir, { address: this.deps.serverUrl() + job.backend.path, username: job.backend.username, password: job.backend.password, checkoutRoot: root, replaceDeclared: job.backend.replaceDeclared })
      : { overridden: false, env: {} };
    const cache = await this.tenantPluginCache(job.repo.tenantId);
    // What the run is planned against is recorded while init's fingerprint is read (files only),
    // and, when the sink read it before the job began, while terraform starts: it is settled
    // (project.recorded) before the job reports its plan or its end.
    const checkedOut = sink.checkedOut({ commitSha, backendOverridden: override.overridden });
    checkedOut.catch(() => undefined); // awaited below or through project.recorded
    recording(checkedOut);
    const project: Prepared = { dir, writableDirs: [root, scratch], readOnlyDirs: [path.join(root, '.git')], env: { ...job.env, ...cache, ...override.env }, backendOverridden: override.overridden, recorded: checkedOut };
    const [recorded, fingerprint] = await Promise.allSettled([
      sink.checkedOutMayOverlap ? Promise.resolve() : checkedOut,
      initFingerprint(project.dir, root, { args: job.steps.init, env: project.env }),
    ]);
    if (recorded.status === 'rejected') throw recorded.reason;
    sink.setPhase('init');
    await this.init(job, project, root, fingerprint.status === 'fulfilled' ? fingerprint.value : null, sink, signal);
    const select = workspaceSelectArgs(job.workspace, { backendOverridden: override.overridden });
    if (select) {
      const ws = await this.terraform(job, project, select, sink, signal);
      if (ws.exitCode !== 0) throw new Error(`terraform workspace select ${job.workspace} failed: ${errorText(ws)}`);
    }
    return project;
  }

  /** TF_PLUGIN_CACHE_DIR of the tenant's own cache (terraform ignores one that does not exist, so it is made). */
  private async tenantPluginCache(tenantId: string): Promise<Record<string, string>> {
    if (!this.deps.pluginCacheRoot) return {};
    const dir = path.join(this.deps.pluginCacheRoot, tenantId); // a uuid (the job schema checks it)
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return { TF_PLUGIN_CACHE_DIR: dir };
  }

  /**
   * `terraform init`, unless this working copy was initialised by this runner and nothing init
   * depends on changed since (init-fingerprint.ts). What a run left in `.terraform` is part of
   * the fingerprint, so a run that changed it makes the next one init again.
   */
  private async init(job: Job, project: Prepared, root: string, before: string | null, sink: JobSink, signal: AbortSignal): Promise<void> {
    const inputs = { args: job.steps.init, env: project.env };
    if (before !== null && this.initialised.get(project.dir) === before) {
      this.deps.log.debug({ runId: job.runId }, 'terraform init skipped: nothing it depends on changed');
      sink.appendLog('Terraform init skipped: this working copy is initialised and nothing init depends on changed (configuration, lock file, modules, backend).\n');
      return;
    }
    this.initialised.delete(project.dir);
    const init = await this.terraform(job, project, job.steps.init, sink, signal);
    if (init.exitCode !== 0) throw new Error(`terraform init failed: ${errorText(init)}`);
    const after = await initFingerprint(project.dir, root, inputs);
    if (after !== null) this.initialised.set(project.dir, after);
  }

  private async plan(job: Job, project: Prepared, sink: JobSink, signal: AbortSignal, scratch: string): Promise<void> {
    sink.setPhase('plan');
    const planFile = path.join(scratch, 'plan.tfplan');
    const result = await this.terraform(job, project, withPlanFile(job.steps.plan, planFile), sink, signal);
    const outcome = planOutcome(result.exitCode);
    await project.recorded;
    if (outcome === 'error') {
      await sink.finished({ status: 'errored', error: errorText(result), statusReason: 'terraform plan failed' });
      return;
    }
    const hasChanges = outcome === 'changes';
    // show -json (~as long as the plan itself) is off the answer's path when the caller needs only counts.
    const later = job.planDetails === 'after-answer' && sink.planDetails !== undefined;
    const planned: PlannedResult = later
      ? { hasChanges, ...parsePlanOutput(result.combined), resourceChanges: null, resourceDrift: null }
      : { hasChanges, ...(await this.showPlan(job, project, planFile, sink, signal)) };
    const next = await sink.planned(planned, await readFile(planFile));
    if (later) {
      if (next.apply) await sink.planDetails!(await this.showPlan(job, project, planFile, sink, signal));
      else await this.reportDetailsAfterAnswer(job, project, planFile, sink, signal);
    }
    if (!next.apply) return;
    // An auto-applied run trades its plan credential, which cannot write state, for the apply one.
    const env = next.statePassword && project.backendOverridden ? { ...project.env, TF_HTTP_PASSWORD: next.statePassword } : project.env;
    await this.apply(job, { ...project, env }, planFile, sink, signal);
  }

  /** Which resources the plan changes, from `terraform show -json` (quiet: plan JSON holds secrets). */
  private async showPlan(job: Job, project: Prepared, planFile: string, sink: JobSink, signal: AbortSignal): Promise<PlanDetails> {
    const show = await this.terraform(job, project, withPlanFile(job.steps.show, planFile), sink, signal, true);
    if (show.exitCode !== 0) throw new Error(`terraform show -json failed: ${errorText(show)}`);
    const d = parseShowJson(show.stdout);
    const attributes = attributeChanges(show.stdout);
    return {
      summary: d.summary, toAdd: d.toAdd, toChange: d.toChange, toDestroy: d.toDestroy, toImport: d.toImport,
      resourceChanges: d.resourceChanges.map((c) => ({ ...changeSummary(c), changes: attributes.get(c.address) ?? [] })),
      resourceDrift: d.resourceDrift.map(changeSummary),
    };
  }

  /**
   * The run has its answer and its status: a failure here must not error it (its plan stands),
   * so it is logged and the run keeps no resource list.
   */
  private async reportDetailsAfterAnswer(job: Job, project: Prepared, planFile: string, sink: JobSink, signal: AbortSignal): Promise<void> {
    try {
      // Spawning terraform blocks this event loop while it forks: not while the answer is rendered and written.
      await sink.answered?.(signal);
      await sink.planDetails!(await this.showPlan(job, project, planFile, sink, signal));
    } catch (err) {
      // canceled (the server or runner shutting down) is no fault; a failing show -json is worth a look
      const level = signal.aborted || err instanceof JobCanceled ? 'debug' : 'warn';
      this.deps.log[level]({ runId: job.runId, errorType: (err as Error)?.name }, 'could not read which resources the plan changes; the run keeps its counts only');
    }
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
    await project.recorded;
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
      args, cwd: project.dir, writableDirs: project.writableDirs, readOnlyDirs: project.readOnlyDirs, env: { ...project.env, [RUN_ID_ENV]: job.runId }, signal, timeoutMs: job.timeoutMs,
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

/** What of a resource change leaves the runner: the address, the action and attribute names. */
function changeSummary(c: ResourceChange): ResourceChangeSummary {
  return { address: c.address, action: c.action, ...(c.attributes ? { attributes: c.attributes, sensitiveAttributes: c.sensitiveAttributes ?? [] } : {}) };
}
