import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../../logger.js';
import { OutputTail } from './output-tail.js';
import { groupAlive, signalGroup } from './process-group.js';
import type { TerraformResult } from './terraform-runner.js';

export interface TerraformProcessOptions {
  graceMs: number;
  maxOutputBytes: number;
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  log: Logger;
  /**
   * Sandboxed (bwrap --new-session): the process group of the command inside the sandbox, once
   * bwrap has reported it. Cancel interrupts that group, never bwrap itself: bwrap dies of SIGINT,
   * and its --die-with-parent would SIGKILL terraform before it could release its state lock.
   */
  innerGroup?: Promise<number | null>;
}

/**
 * One running terraform process, spawned detached (its own process group). Collects bounded
 * output, streams it to `onOutput`, and stops the whole group on cancel or timeout: SIGINT
 * first so terraform can release state locks, SIGKILL after the grace period. Whatever the
 * group still holds when terraform exits (a backgrounded local-exec child) is killed too, so
 * nothing it started outlives the run.
 */
export class TerraformProcess {
  readonly result: Promise<TerraformResult>;
  readonly #child: ChildProcess & { pid: number };
  readonly #opts: TerraformProcessOptions;
  readonly #started = performance.now();
  readonly #stdout: OutputTail;
  readonly #stderr: OutputTail;
  readonly #combined: OutputTail;
  #stopReason: 'cancel' | 'timeout' | null = null;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  #timers: NodeJS.Timeout[] = [];
  #outputFailed = false;
  /** the sandbox's process group, once known */
  #inner: number | null = null;
  #resolve!: (r: TerraformResult) => void;

  constructor(child: ChildProcess & { pid: number }, opts: TerraformProcessOptions) {
    this.#child = child;
    this.#opts = opts;
    this.#stdout = new OutputTail(opts.maxOutputBytes);
    this.#stderr = new OutputTail(opts.maxOutputBytes);
    this.#combined = new OutputTail(opts.maxOutputBytes);
    this.result = new Promise((resolve) => (this.#resolve = resolve));
    this.#listen();
  }

  get pid(): number {
    return this.#child.pid;
  }

  /** Stops the process group: SIGINT now, SIGKILL after the grace period. Idempotent. */
  stop(reason: 'cancel' | 'timeout'): void {
    if (this.#exit || this.#stopReason) return;
    this.#stopReason = reason;
    this.#opts.log.info({ pid: this.pid, reason, graceMs: this.#opts.graceMs }, 'stopping terraform (SIGINT)');
    void this.#interrupt();
    this.#timers.push(
      setTimeout(() => {
        if (this.#killAll()) this.#opts.log.warn({ pid: this.pid }, 'terraform ignored SIGINT; killed its process group');
      }, this.#opts.graceMs),
    );
  }

  async #interrupt(): Promise<void> {
    if (!this.#opts.innerGroup) {
      signalGroup(this.pid, 'SIGINT');
      return;
    }
    const inner = await this.#opts.innerGroup;
    if (this.#exit) return;
    if (inner) signalGroup(inner, 'SIGINT');
    else this.#killAll(); // bwrap never reported its child: nothing inside can be interrupted gracefully
  }

  /** SIGKILL to the sandbox's group (if any) and ours; true when something was still there. */
  #killAll(): boolean {
    const inner = this.#inner;
    const hitInner = inner !== null && signalGroup(inner, 'SIGKILL');
    return signalGroup(this.pid, 'SIGKILL') || hitInner;
  }

  #listen(): void {
    const child = this.#child;
    void this.#opts.innerGroup?.then((g) => (this.#inner = g));
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = child[stream]!;
      readable.setEncoding('utf8'); // a StringDecoder: multibyte characters are never split
      readable.on('data', (chunk: string) => this.#onData(chunk, stream));
      readable.on('error', (err) => this.#opts.log.warn({ err, stream }, 'terraform output stream error'));
    }
    child.on('exit', (code, signal) => this.#onExit(code, signal));
    child.on('close', () => this.#finish());
    child.on('error', (err) => this.#opts.log.warn({ err, pid: this.pid }, 'terraform process error'));
  }

  #onData(chunk: string, stream: 'stdout' | 'stderr'): void {
    (stream === 'stdout' ? this.#stdout : this.#stderr).append(chunk);
    this.#combined.append(chunk);
    if (!this.#opts.onOutput || this.#outputFailed) return;
    try {
      this.#opts.onOutput(chunk, stream);
    } catch (err) {
      this.#outputFailed = true; // a consumer bug must not kill the run; say it once
      this.#opts.log.error({ err }, 'onOutput callback threw; further output is not streamed');
    }
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.#exit = { code, signal };
    if (groupAlive(this.pid)) {
      this.#opts.log.warn({ pid: this.pid }, 'terraform exited but left processes in its group; killing them');
      this.#killAll();
    } else if (this.#inner !== null) {
      // bwrap exits after the sandbox's init, whose PID namespace takes every process inside with
      // it; what may still answer there is a zombie being reaped. A SIGKILL costs nothing.
      signalGroup(this.#inner, 'SIGKILL');
    }
    // A process that left the group (setsid) could hold our pipes open forever: stop waiting.
    const closeTimer = setTimeout(() => {
      this.#child.stdout?.destroy();
      this.#child.stderr?.destroy();
      this.#finish();
    }, Math.max(this.#opts.graceMs, 1000));
    this.#timers.push(closeTimer);
  }

  #finish(): void {
    if (!this.#exit) return; // 'close' always follows 'exit'; guard anyway
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    this.#resolve({
      exitCode: this.#exit.code,
      signal: this.#exit.signal,
      stdout: this.#stdout.toString(),
      stderr: this.#stderr.toString(),
      combined: this.#combined.toString(),
      truncated: this.#stdout.truncated || this.#stderr.truncated || this.#combined.truncated,
      canceled: this.#stopReason === 'cancel',
      timedOut: this.#stopReason === 'timeout',
      durationMs: Math.round(performance.now() - this.#started),
    });
  }
}
