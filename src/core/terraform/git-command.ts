import { spawn } from 'node:child_process';
import { OutputTail } from './output-tail.js';

export interface GitRunOptions {
  binary: string;
  cwd: string;
  env: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs: number;
  /** strings removed from any error text (a token, its base64 form) */
  secrets: string[];
}

/** A failed git command; `detail` is git's stderr tail with secrets redacted. */
export class GitCommandError extends Error {
  readonly exitCode: number | null;
  readonly detail: string;
  constructor(command: string, exitCode: number | null, detail: string, timedOut: boolean) {
    const why = timedOut ? 'timed out' : `exited with ${exitCode ?? 'a signal'}`;
    super(`git ${command} ${why}${detail ? `: ${detail}` : ''}`);
    this.name = 'GitCommandError';
    this.exitCode = exitCode;
    this.detail = detail;
  }
}

/**
 * Runs git from an argv (never a shell) and resolves to its stdout. Credentials never appear in
 * `args`: they travel in `env` as git config (see child-env.ts gitEnv).
 */
export function runGit(args: string[], opts: GitRunOptions): Promise<string> {
  opts.signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(opts.binary, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
      timeout: opts.timeoutMs,
      killSignal: 'SIGKILL',
    });
    const stdout = new OutputTail(8 * 1024 * 1024);
    const stderr = new OutputTail(64 * 1024);
    child.stdout.setEncoding('utf8').on('data', (c: string) => stdout.append(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => stderr.append(c));
    let failed: Error | null = null;
    child.on('error', (err) => {
      failed = err;
      if (child.pid === undefined) reject(new GitCommandError(args[0], null, `cannot run ${opts.binary}: ${err.message}`, false));
    });
    child.on('close', (code, signal) => {
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      if (failed) return reject(new GitCommandError(args[0], null, redact(failed.message, opts.secrets), false));
      if (code === 0) return resolve(stdout.toString());
      const detail = redact(lastLines(stderr.toString(), 6), opts.secrets);
      reject(new GitCommandError(args[0], code, detail, code === null && signal === 'SIGKILL'));
    });
  });
}

/** Removes every secret and any `user:password@` in URLs from `text`. Pure. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(/(\w+:\/\/)[^/\s@]+@/g, '$1[redacted]@');
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}
