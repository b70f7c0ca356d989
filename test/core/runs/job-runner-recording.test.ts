import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PLAN_FILE, type AfterPlan, type CheckedOut, type Job, type JobOutcome, type JobSink } from '../../../src/core/runs/job.js';
import { JobRunner } from '../../../src/core/runs/job-runner.js';
import { initArgs, planArgs, showJsonArgs, applyArgs } from '../../../src/core/terraform/terraform-args.js';
import { ProcessTerraformRunner } from '../../../src/core/terraform/process-terraform-runner.js';
import { WorkingCopies } from '../../../src/core/terraform/working-copy.js';
import { captureLogs } from '../../harness/capture-logs.js';
import { createBareRepo, insteadOfEnv } from '../../harness/git-repo.js';
import { tfData } from '../../harness/tf-files.js';

/**
 * What a job reports, in order. `checkedOut` settles (or fails) only when the test says so, so
 * that the order of the reports does not depend on timing.
 */
class Recorder implements JobSink {
  readonly events: string[] = [];
  outcome: JobOutcome | undefined;
  settle!: (err?: Error) => void;
  constructor(readonly checkedOutMayOverlap: boolean) {}
  appendLog(): void {}
  setPhase(phase: string): void {
    this.events.push(`phase ${phase}`);
  }
  async flush(): Promise<void> {}
  checkedOut(_: CheckedOut): Promise<void> {
    this.events.push('checkedOut started');
    return new Promise((resolve, reject) => {
      this.settle = (err) => {
        this.events.push(err ? 'checkedOut failed' : 'checkedOut recorded');
        if (err) reject(err);
        else resolve();
      };
    });
  }
  spawned(): void {
    // the recording settles once the first terraform runs: what is reported after must wait for it
    if (this.checkedOutMayOverlap && !this.events.includes('terraform spawned')) setImmediate(() => this.settle(this.failWith));
    this.events.push('terraform spawned');
  }
  failWith: Error | undefined;
  async planned(): Promise<AfterPlan> {
    this.events.push('planned');
    return { apply: false };
  }
  async finished(outcome: JobOutcome): Promise<void> {
    this.events.push(`finished ${outcome.status}`);
    this.outcome = outcome;
  }
}

async function setup() {
  const bare = await createBareRepo();
  onTestFinished(() => bare.cleanup());
  const sha = await bare.commitFiles({ 'small/main.tf': tfData(1) }, 'one project');
  const root = await mkdtemp(path.join(tmpdir(), 'atlantas-job-runner-'));
  onTestFinished(() => rm(root, { recursive: true, force: true }));
  const { log } = captureLogs('warn');
  const jobs = new JobRunner({
    workingCopies: new WorkingCopies({ root: path.join(root, 'repos'), log, baseEnv: { ...process.env, ...insteadOfEnv(bare.root) } }),
    terraform: new ProcessTerraformRunner({ binary: 'terraform', cancelGraceMs: 1000, log }),
    scratchDir: path.join(root, 'scratch'),
    serverUrl: () => 'http://127.0.0.1:1',
    log,
  });
  const job: Job = {
    runId: randomUUID(), phase: 'plan',
    repo: { tenantId: randomUUID(), fullName: 'acme/infra', cloneUrl: bare.cloneUrl, key: 'ref-main', commitSha: sha, ref: 'main' },
    dir: 'small', workspace: 'default', extraArgs: [],
    steps: { init: initArgs({ reconfigure: true }), plan: planArgs({ out: PLAN_FILE, mode: 'normal', detailedExitcode: true, extraArgs: [] }), show: showJsonArgs(PLAN_FILE), apply: applyArgs(PLAN_FILE) },
    backend: null, env: {}, secrets: [], timeoutMs: 120_000, planDetails: 'before-answer',
  };
  return { jobs, job };
}

describe('JobRunner: what checkedOut records', () => {
  it('is recorded before any terraform when the sink cannot overlap it (a remote runner)', async () => {
    const { jobs, job } = await setup();
    const sink = new Recorder(false);
    const done = jobs.execute(job, sink, new AbortController().signal);
    await expect.poll(() => sink.events).toContain('checkedOut started');
    expect(sink.events).not.toContain('terraform spawned');
    sink.settle();
    await done;
    expect(sink.events.indexOf('checkedOut recorded')).toBeLessThan(sink.events.indexOf('terraform spawned'));
    expect(sink.events.at(-1)).toBe('planned');
  }, 120_000);

  it('may overlap terraform in-process, but is settled before the plan is reported', async () => {
    const { jobs, job } = await setup();
    const sink = new Recorder(true);
    await jobs.execute(job, sink, new AbortController().signal);
    expect(sink.events.indexOf('terraform spawned')).toBeLessThan(sink.events.indexOf('checkedOut recorded'));
    expect(sink.events.indexOf('checkedOut recorded')).toBeLessThan(sink.events.indexOf('planned'));
  }, 120_000);

  it('errors the job with its reason when it fails while terraform runs, and reports no plan', async () => {
    const { jobs, job } = await setup();
    const sink = new Recorder(true);
    sink.failWith = new Error('the run row could not be written');
    await jobs.execute(job, sink, new AbortController().signal);
    expect(sink.events).not.toContain('planned');
    expect(sink.events.at(-1)).toBe('finished errored');
    expect(sink.outcome?.error).toBe('the run row could not be written');
  }, 120_000);
});
