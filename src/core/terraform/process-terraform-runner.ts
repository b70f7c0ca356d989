import { spawn, type ChildProcess } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from '../../logger.js';
import { InputError, UnavailableError } from '../errors.js';
import { terraformEnv } from './child-env.js';
import { bwrapCommand, type SandboxProfile } from './sandbox.js';
import { onPath } from './sandbox-probe.js';
import { TerraformProcess } from './terraform-process.js';
import type { TerraformInvocation, TerraformResult, TerraformRunner } from './terraform-runner.js';

/** Default bound of each output buffer in a result: the last 16 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface ProcessTerraformRunnerOptions {
  /** ATLANTAS_TF_BINARY: `terraform`, `tofu` or a path */
  binary: string;
  /** ATLANTAS_CANCEL_GRACE: time between SIGINT and SIGKILL */
  cancelGraceMs: number;
  log: Logger;
  /** where PATH, HOME, proxies and TF_CLI_CONFIG_FILE come from (allowlisted); default process.env */
  baseEnv?: NodeJS.ProcessEnv;
  maxOutputBytes?: number;
  /** run every process under bubblewrap (sandbox.ts); null or absent: unsandboxed (ATLANTAS_SANDBOX=off or no bwrap) */
  sandbox?: SandboxProfile | null;
}

/**
 * Runs the terraform (or tofu) binary as a child process: argv only (never a shell), a clean
 * env (child-env.ts), its own process group so that cancel reaches provider plugins and
 * local-exec children; under bubblewrap when a sandbox profile is given (sandbox.ts). Logs name the subcommand only: extra args may carry secrets.
 */
export class ProcessTerraformRunner implements TerraformRunner {
  readonly #opts: ProcessTerraformRunnerOptions;
  readonly #log: Logger;
  #active = 0;

  constructor(opts: ProcessTerraformRunnerOptions) {
    this.#opts = opts;
    this.#log = opts.log.child({ component: 'terraform-runner' });
  }

  active(): number {
    return this.#active;
  }

  async version(): Promise<string> {
    const r = await this.run({ args: ['version', '-json'], cwd: tmpdir(), writableDirs: [], timeoutMs: 60_000 });
    const version = parseVersion(r.stdout);
    if (r.exitCode !== 0 || !version) {
      throw new UnavailableError(`"${this.#opts.binary} version" failed (exit ${r.exitCode}); check ATLANTAS_TF_BINARY`, {
        code: 'terraform.unavailable',
      });
    }
    return version;
  }

  async run(inv: TerraformInvocation): Promise<TerraformResult> {
    validateArgs(inv.args);
    await assertDirectory(inv.cwd);
    if (inv.signal?.aborted) return notStarted(true);
    const { env, dropped } = terraformEnv(this.#opts.baseEnv ?? process.env, inv.env);
    if (dropped.length) this.#log.warn({ dropped }, 'ignored environment variables that would change the terraform workspace or flags');
    const child = await this.#spawn(inv, env);
    const innerGroup = this.#opts.sandbox ? sandboxChildPid(child) : undefined;
    const log = this.#log.child({ pid: child.pid, cmd: inv.args[0] });
    const proc = new TerraformProcess(child, {
      graceMs: this.#opts.cancelGraceMs,
      maxOutputBytes: inv.maxOutputBytes ?? this.#opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      onOutput: inv.onOutput,
      log,
      innerGroup,
    });
    this.#active++;
    log.debug({ cwd: inv.cwd }, 'terraform started');
    notifySpawn(inv, child.pid, log);
    const onAbort = () => proc.stop('cancel');
    inv.signal?.addEventListener('abort', onAbort, { once: true });
    if (inv.signal?.aborted) onAbort();
    const timer = inv.timeoutMs ? setTimeout(() => proc.stop('timeout'), inv.timeoutMs) : undefined;
    try {
      const result = await proc.result;
      const { exitCode, signal, canceled, timedOut, durationMs, truncated } = result;
      log.info({ exitCode, signal, canceled, timedOut, durationMs, truncated }, 'terraform finished');
      return result;
    } finally {
      this.#active--;
      clearTimeout(timer);
      inv.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Resolves once the process exists; a missing or non-executable binary is an UnavailableError. */
  #spawn(inv: TerraformInvocation, env: Record<string, string>): Promise<ChildProcess & { pid: number }> {
    const sandbox = this.#opts.sandbox;
    let child: ChildProcess;
    if (sandbox) {
      const binary = resolveBinary(this.#opts.binary, env.PATH ?? '');
      if (!binary) return Promise.reject(this.#unavailable('ENOENT'));
      const cmd = bwrapCommand(sandbox, { binary, args: inv.args, cwd: inv.cwd, writable: inv.writableDirs ?? [inv.cwd], readOnly: inv.readOnlyDirs, env });
      child = spawn(cmd.file, cmd.argv, { cwd: inv.cwd, env: cmd.env, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    } else {
      child = spawn(this.#opts.binary, inv.args, { cwd: inv.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    if (child.pid !== undefined) return Promise.resolve(child as ChildProcess & { pid: number });
    return new Promise((_resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => reject(this.#unavailable(err.code ?? err.message, err)));
    });
  }

  #unavailable(why: string, cause?: Error): UnavailableError {
    return new UnavailableError(
      `cannot run terraform binary "${this.#opts.binary}" (${why}); install it on PATH or set ATLANTAS_TF_BINARY`,
      { code: 'terraform.unavailable', cause },
    );
  }
}

/** The absolute, symlink-free path of the binary (looked up on PATH when it is a bare name), or null. */
function resolveBinary(binary: string, pathList: string): string | null {
  const found = binary.includes('/') ? path.resolve(binary) : onPath(binary, pathList);
  if (!found) return null;
  try {
    return realpathSync(found);
  } catch {
    return null;
  }
}

/** bwrap writes `{"child-pid": N, ...}` to fd 3 once the sandbox exists; N leads the sandbox's process group (--new-session). */
function sandboxChildPid(child: ChildProcess): Promise<number | null> {
  const info = child.stdio[3] as Readable | null;
  if (!info) return Promise.resolve(null);
  return new Promise((resolve) => {
    let text = '';
    info.setEncoding('utf8');
    info.on('data', (chunk: string) => {
      text += chunk;
      const pid = /"child-pid"\s*:\s*(\d+)/.exec(text)?.[1];
      if (pid) resolve(Number(pid));
    });
    info.on('error', () => resolve(null));
    info.on('close', () => resolve(null));
  });
}

/** A failing onSpawn must not lose the process: it is already running and is awaited as usual. */
function notifySpawn(inv: TerraformInvocation, pid: number, log: Logger): void {
  try {
    inv.onSpawn?.(pid);
  } catch (err) {
    log.warn({ err }, 'onSpawn callback threw; the run goes on');
  }
}

function validateArgs(args: unknown): asserts args is string[] {
  if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string')) {
    throw new InputError('terraform arguments must be a non-empty array of strings');
  }
  if (args.some((a) => a.includes('\0'))) throw new InputError('terraform arguments cannot contain NUL characters');
}

async function assertDirectory(cwd: string): Promise<void> {
  const s = await stat(cwd).catch(() => null);
  if (!s?.isDirectory()) throw new InputError(`terraform working directory ${cwd} does not exist or is not a directory`);
}

function notStarted(canceled: boolean): TerraformResult {
  return { exitCode: null, signal: null, stdout: '', stderr: '', combined: '', truncated: false, canceled, timedOut: false, durationMs: 0 };
}

/** `version -json` of terraform and tofu both carry "terraform_version"; plain text is the fallback. */
export function parseVersion(stdout: string): string | null {
  try {
    const v = (JSON.parse(stdout) as { terraform_version?: unknown }).terraform_version;
    if (typeof v === 'string' && v) return v;
  } catch {
    // not JSON: an old binary
  }
  return /v(\d+\.\d+\.\d+[^\s]*)/.exec(stdout)?.[1] ?? null;
}
