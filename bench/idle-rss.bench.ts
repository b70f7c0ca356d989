/**
 * Idle memory of `npm start` in embedded mode: the built server (`node bin/atlantas.js server`,
 * after `npm run build`) with a fresh data dir and no DATABASE_URL, so PGlite runs inside it. Its
 * resident set (VmRSS, and the peak VmHWM, from /proc) once it listens and has been idle a few
 * seconds, next to a bare `node -e` process: the floor of any Node server.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { table } from './support.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const IDLE_MS = Number(process.env.BENCH_RSS_IDLE_MS ?? 5000);

export async function run(): Promise<string> {
  await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-rss-'));
  try {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ATLANTAS_DATA_DIR: dataDir, ATLANTAS_PORT: '0', ATLANTAS_HOST: '127.0.0.1', LOG_LEVEL: 'info' };
    const server = () => measure(spawn(process.execPath, [path.join(ROOT, 'bin/atlantas.js'), 'server'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }), /"msg":"atlantas listening"/);
    const first = await server(); // creates the database (initdb inside PGlite)
    const again = await server(); // the same data dir: every later `npm start`
    const pglite = await measure(spawn(process.execPath, ['--input-type=module', '-e', PGLITE_ALONE], { cwd: ROOT, env: { ...env, PGDATA: path.join(dataDir, 'pgdata') }, stdio: ['ignore', 'pipe', 'pipe'] }), /ready/);
    const bare = await measure(spawn(process.execPath, ['-e', 'console.log("ready"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'pipe'] }), /ready/);
    const mib = (kb: number) => (kb / 1024).toFixed(1);
    const row = (label: string, m: Measured) => [label, mib(m.rss), mib(m.hwm), `${(m.rss / bare.rss).toFixed(1)}×`, (m.readyMs / 1000).toFixed(1)];
    return `${table(['process (idle)', 'RSS MiB', 'peak RSS MiB', 'RSS ÷ bare node', 'start s'], [
      row('atlantas server, embedded, first start (creates the database)', first),
      row('atlantas server, embedded, next start (same data dir)', again),
      row('PGlite alone on that data dir (the embedded floor)', pglite),
      row('node -e (bare)', bare),
    ])}\n(RSS read ${IDLE_MS / 1000} s after the process was ready; WebAssembly memory never shrinks, so what initdb grew stays until a restart)`;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The data dir's database opened by PGlite and nothing else. */
const PGLITE_ALONE = `const { PGlite } = await import('@electric-sql/pglite'); const db = await PGlite.create(process.env.PGDATA); await db.query('SELECT 1'); console.log('ready'); setInterval(() => {}, 1000);`;

interface Measured {
  rss: number;
  hwm: number;
  readyMs: number;
}

/** Waits for `ready` on stdout, then `IDLE_MS`, reads VmRSS/VmHWM (kB) and stops the process. */
async function measure(proc: ChildProcess, ready: RegExp): Promise<Measured> {
  const spawned = Date.now();
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${ready} within 120 s\n${out}\n${err}`)), 120_000);
      proc.stdout!.on('data', (d) => {
        out += d;
        if (ready.test(out)) {
          clearTimeout(timer);
          resolve(Date.now() - spawned);
        }
      });
      void exited.then(() => reject(new Error(`exited before ready\n${out}\n${err}`)));
    });
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const status = await readFile(`/proc/${proc.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), readyMs };
  } finally {
    proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
}
