import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { testDatabaseUrl } from './test-db.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../src/entry.ts', import.meta.url));
/** tsx's ESM loader by absolute URL, so children started in any cwd can load TypeScript. */
export const TSX_LOADER = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** sends a signal and resolves with the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** The base environment for child processes: PATH and HOME only, so nothing leaks from the runner. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: '1', ...extra };
}

/**
 * Runs `atlantas <args>` as a real process (through tsx, from src) and, for `server`, waits for
 * its "listening" log line to learn the port. Killed at the end of the test if still running.
 * `stdin`, when given, is written to the process's standard input, which is then closed.
 */
export function spawnAtlantas(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; waitForListen?: boolean; timeoutMs?: number; stdin?: string }): Promise<ServerProcess> {
  const stdin = options.stdin === undefined ? 'ignore' : 'pipe';
  const proc = spawn(process.execPath, ['--import', TSX_LOADER, ENTRY, ...args], { cwd: options.cwd ?? REPO_ROOT, env: options.env, stdio: [stdin, 'pipe', 'pipe'] });
  if (options.stdin !== undefined) proc.stdin!.end(options.stdin);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  onTestFinished(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const base = {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => {
      proc.kill(signal);
      return exited;
    },
  };
  if (options.waitForListen === false) return Promise.resolve({ ...base, url: '' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${options.timeoutMs ?? 60_000} ms\nstdout:\n${out}\nstderr:\n${err}`)), options.timeoutMs ?? 60_000);
    const check = () => {
      const m = /"port":(\d+)[^\n]*"msg":"atlantas listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', check);
        resolve({ ...base, url: `http://127.0.0.1:${m[1]}` });
      }
    };
    proc.stdout!.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`atlantas exited with ${code} before listening\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
}

/**
 * `atlantas rotate-key` against a schema of the test database, from `previousKey` to `key`, as an
 * operator runs it; resolves when the process ends with its exit code and output.
 */
export async function rotateKeyCli(schema: string, previousKey: string, key: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = await spawnAtlantas(['rotate-key'], {
    env: cleanEnv({ DATABASE_URL: testDatabaseUrl(), ATLANTAS_DB_SCHEMA: schema, ATLANTAS_ENCRYPTION_KEY: key, ATLANTAS_ENCRYPTION_KEY_PREVIOUS: previousKey, LOG_LEVEL: 'warn' }),
    waitForListen: false,
  });
  const code = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}
