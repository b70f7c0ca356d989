import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { noopMetrics, type Metrics } from '../ports/metrics.js';
import { phaseOnClaim } from './run-status.js';
import type { RunEvents } from './run-events.js';
import type { Run } from './run.model.js';
import type { RunRepository } from './run.repository.js';

export interface RunExecution {
  /** runs one claimed run to its next resting status; must never throw for run-level failures */
  execute(run: Run, signal: AbortSignal): Promise<void>;
}

export interface RunWorkerOptions {
  parallelism: number;
  pollMs?: number;
  heartbeatMs?: number;
}

/** `<host>:<pid>:<random>`: recovery can tell a dead process on this host from a live one. */
export function makeWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * A pool of `parallelism` slots on this server. Claims runs from the shared queue (SKIP LOCKED),
 * executes them, heartbeats them, and stops them when a cancel is requested anywhere.
 */
export class RunWorker {
  readonly workerId = makeWorkerId();
  private readonly running = new Map<string, AbortController>();
  private stopped = true;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private loop: Promise<void> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly deps: { repo: RunRepository; execution: RunExecution; events: RunEvents; log: Logger; metrics?: Metrics },
    private readonly options: RunWorkerOptions,
  ) {
    this.unsubscribe = deps.events.onEnqueued(() => this.wake());
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.options.heartbeatMs ?? 2000);
  }

  /** Stops claiming. In-flight runs get `graceMs` to finish, then are canceled (SIGINT, then SIGKILL). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.wake();
    this.unsubscribe();
    const deadline = Date.now() + graceMs;
    while (this.running.size && Date.now() < deadline) await sleep(100);
    for (const controller of this.running.values()) controller.abort(new Error('the server is shutting down'));
    while (this.running.size) await sleep(50);
    clearInterval(this.heartbeatTimer);
    await this.loop;
  }

  active(): number {
    return this.running.size;
  }

  /** Ends the current idle wait, or — when the loop is busy claiming — the next one before it starts. */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  /** Cancels a run executing here (a cancel request seen by heartbeat, or a local call). */
  abort(runId: string, reason: string): boolean {
    const controller = this.running.get(runId);
    controller?.abort(new Error(reason));
    return !!controller;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.running.size >= this.options.parallelism) {
        await this.idle();
        continue;
      }
      let run: Run | null = null;
      try {
        run = await this.deps.repo.claim(this.workerId);
      } catch (err) {
        this.deps.log.error({ err }, 'could not claim a run');
      }
      if (!run) {
        await this.idle();
        continue;
      }
      this.launch(run);
    }
  }

  private launch(run: Run): void {
    const controller = new AbortController();
    this.running.set(run.id, controller);
    this.deps.events.emit({ type: 'status', runId: run.id, status: run.status });
    const metrics = this.deps.metrics ?? noopMetrics;
    metrics.runStatus(run, run.status);
    const started = performance.now();
    const log = this.deps.log.child({ runId: run.id });
    log.info({ status: run.status, repo: run.repoFullName, dir: run.dir, workspace: run.workspace }, 'run claimed');
    this.deps.execution
      .execute(run, controller.signal)
      .catch((err) => log.error({ err }, 'run execution failed unexpectedly'))
      .finally(() => {
        metrics.runExecution(run, phaseOnClaim(run.status), (performance.now() - started) / 1000);
        this.running.delete(run.id);
        this.wake();
      });
  }

  private idle(): Promise<void> {
    // A wake (an enqueue, a finished run, stop()) that came while claiming must not wait a whole poll.
    if (this.woken || this.stopped) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollMs ?? 1000);
      this.wakeUp = done;
    });
  }

  private async heartbeat(): Promise<void> {
    try {
      const cancel = await this.deps.repo.heartbeat([...this.running.keys()]);
      for (const id of cancel) this.abort(id, 'canceled');
    } catch (err) {
      this.deps.log.warn({ err }, 'heartbeat failed');
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
