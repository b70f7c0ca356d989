import { hostname } from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { JobRunner } from '../core/runs/job-runner.js';
import { Job } from '../core/runs/job.js';
import { ProcessTerraformRunner } from '../core/terraform/process-terraform-runner.js';
import { WorkingCopies } from '../core/terraform/working-copy.js';
import type { SandboxProfile } from '../core/terraform/sandbox.js';
import { HttpJobSink } from './http-job-sink.js';
import { RunnerClient } from './runner-client.js';

export interface RemoteRunnerOptions {
  /** ATLANTAS_URL */
  serverUrl: string;
  /** ATLANTAS_RUNNER_TOKEN */
  token: string;
  name?: string;
  version: string;
  parallelism: number;
  dataDir: string;
  terraformBinary: string;
  cancelGraceMs: number;
  /** until the server says (at registration, then on every heartbeat: runnerHeartbeatMs of its ATLANTAS_RUNNER_TIMEOUT) */
  heartbeatMs?: number;
  log: Logger;
  /** the env git and terraform start from (allowlisted by child-env.ts) */
  childEnv: NodeJS.ProcessEnv;
  /** ATLANTAS_SANDBOX on this machine, probed like the server's (sandbox-probe.ts) */
  sandbox?: SandboxProfile | null;
}

/**
 * `atlantas runner`: registers with its pool, claims jobs over HTTP (long poll), executes each
 * with the same JobRunner and TerraformRunner as the server's own worker, streams back, and
 * heartbeats. It holds no database, no encryption key and no GitHub credential of the server.
 */
export class RemoteRunner {
  private readonly client: RunnerClient;
  private readonly jobs: JobRunner;
  private readonly running = new Map<string, AbortController>();
  private readonly stopping = new AbortController();
  private heartbeat: NodeJS.Timeout | undefined;
  private heartbeatEveryMs: number | undefined;

  constructor(private readonly opts: RemoteRunnerOptions) {
    this.client = new RunnerClient(opts.serverUrl.replace(/\/+$/, ''), opts.token);
    const log = opts.log;
    this.jobs = new JobRunner({
      workingCopies: new WorkingCopies({ root: path.resolve(opts.dataDir, 'runner-repos'), log, baseEnv: opts.childEnv }),
      terraform: new ProcessTerraformRunner({ binary: opts.terraformBinary, cancelGraceMs: opts.cancelGraceMs, log, baseEnv: opts.childEnv, sandbox: opts.sandbox }),
      scratchDir: path.resolve(opts.dataDir, 'runner-runs'),
      serverUrl: () => opts.serverUrl.replace(/\/+$/, ''),
      // a pool may serve many tenants: like the server, one provider cache per tenant unless the host chose its own
      pluginCacheRoot: opts.childEnv.TF_PLUGIN_CACHE_DIR ? undefined : path.resolve(opts.dataDir, 'runner-plugin-cache'),
      log,
    });
  }

  async run(): Promise<void> {
    const name = this.opts.name ?? `${hostname()}:${process.pid}`;
    const registered = (await this.client.send('POST', '/register', { name, version: this.opts.version })) as { id: string; pool_id: string; heartbeat_ms?: number };
    this.client.runnerId = registered.id;
    this.opts.log.info({ runner: registered.id, pool: registered.pool_id, parallelism: this.opts.parallelism, heartbeatMs: registered.heartbeat_ms }, 'atlantas runner registered');
    this.beatEvery(registered.heartbeat_ms);
    await Promise.all(Array.from({ length: this.opts.parallelism }, () => this.slot()));
    clearInterval(this.heartbeat);
  }

  /** Stops claiming; running jobs are canceled (their terraform gets SIGINT, then SIGKILL). */
  stop(): void {
    this.stopping.abort(new Error('the runner is shutting down'));
    for (const c of this.running.values()) c.abort(new Error('the runner is shutting down'));
  }

  /** One unit of parallelism: claims and executes one job at a time. */
  private async slot(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      let job: Job | null = null;
      try {
        const raw = await this.client.send('POST', '/claim?wait=25', undefined, this.stopping.signal);
        job = raw ? Job.parse(raw) : null;
      } catch (err) {
        if (this.stopping.signal.aborted) return;
        this.opts.log.warn({ err: (err as Error).message }, 'claim failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (!job) continue;
      const controller = new AbortController();
      this.running.set(job.runId, controller);
      const log = this.opts.log.child({ runId: job.runId });
      log.info({ phase: job.phase }, 'job started');
      try {
        await this.jobs.execute(job, new HttpJobSink(this.client, job.runId), controller.signal);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'could not report the job to the server');
      } finally {
        this.running.delete(job.runId);
        log.info('job ended');
      }
    }
  }

  /** (Re)starts the heartbeat at the server's interval; a missing or unusable one keeps the current. */
  private beatEvery(ms: number | undefined): void {
    const interval = Number.isInteger(ms) && ms! > 0 ? ms! : (this.heartbeatEveryMs ?? this.opts.heartbeatMs ?? 2000);
    if (interval === this.heartbeatEveryMs || this.stopping.signal.aborted) return;
    clearInterval(this.heartbeat);
    this.heartbeatEveryMs = interval;
    this.heartbeat = setInterval(() => void this.beat(), interval);
  }

  private async beat(): Promise<void> {
    try {
      const { cancel, heartbeat_ms } = (await this.client.send('POST', '/heartbeat', { runs: [...this.running.keys()] })) as { cancel: string[]; heartbeat_ms?: number };
      for (const id of cancel) this.running.get(id)?.abort(new Error('canceled'));
      this.beatEvery(heartbeat_ms);
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'heartbeat failed');
    }
  }
}
