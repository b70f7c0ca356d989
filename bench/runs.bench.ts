/**
 * Runs: (a) the wall time of the Atlantis-compatible `POST /api/plan` for one small project, from
 * request to response (clone/fetch, backend override, init, plan, show -json, storage, queueing),
 * next to `terraform init && terraform plan` run by hand on the same files in the same process: the
 * floor Atlantas cannot beat, reported as an overhead ratio; (b) 20 projects in one request at
 * ATLANTAS_PARALLELISM 1, 2 and 4, each on a fresh server, with the speedup over parallelism 1.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../test/harness/git-repo.js';
import { startTestApp, type TestApp } from '../test/harness/start-app.js';
import { tfData } from '../test/harness/tf-files.js';
import { atlantisPlan } from './support.js';

const exec = promisify(execFile);
const ITERATIONS = Number(process.env.BENCH_RUNS_ITERATIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_RUNS_ROUNDS ?? 3);
const PARALLELISM = [1, 2, 4];
const PROJECTS = 20;
const SECRET = 'bench-runs-secret';
const SMALL = tfData(3);

export async function run(): Promise<string> {
  const repo = await createBareRepo({ owner: 'bench', name: 'runs' });
  try {
    const files: Record<string, string> = { 'small/main.tf': SMALL };
    for (let i = 0; i < PROJECTS; i++) files[`p${String(i).padStart(2, '0')}/main.tf`] = tfData(1, `v${i}`);
    await repo.commitFiles(files, 'one small project and twenty more');
    const single = await planLatency(repo);
    const floor = await handFloor();
    const parallel: { parallelism: number; seconds: number }[] = [];
    for (const parallelism of PARALLELISM) parallel.push({ parallelism, seconds: await manyProjects(repo, parallelism) });
    return report(single, floor, parallel);
  } finally {
    await repo.cleanup();
  }
}

async function withApp<T>(repo: BareRepo, parallelism: number, fn: (app: TestApp) => Promise<T>): Promise<T> {
  const app = await startTestApp({
    env: { LOG_LEVEL: 'warn', ATLANTAS_API_SECRET: SECRET, ATLANTAS_RATE_LIMIT: '0', ATLANTAS_PARALLELISM: String(parallelism) },
    childEnv: insteadOfEnv(repo.root),
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}


/** (a) N plans of the small project, after one warm-up (the first one clones). */
async function planLatency(repo: BareRepo): Promise<number[]> {
  return withApp(repo, 4, async (app) => {
    await atlantisPlan(app, SECRET, 'bench/runs', ['small']);
    const ms: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) ms.push(await timed(() => atlantisPlan(app, SECRET, 'bench/runs', ['small'])));
    return ms;
  });
}

/** The floor: the same files, `terraform init && terraform plan` in one reused directory, same env switches. */
async function handFloor(): Promise<number[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-floor-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
  const terraform = (...args: string[]) => exec('terraform', [...args, '-input=false', '-no-color'], { cwd: dir, env });
  try {
    await writeFile(path.join(dir, 'main.tf'), SMALL);
    await terraform('init');
    const ms: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      ms.push(await timed(async () => {
        await terraform('init');
        await terraform('plan');
      }));
    }
    return ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** (b) median wall time (s) of one POST /api/plan naming all 20 projects, on a fresh server. */
async function manyProjects(repo: BareRepo, parallelism: number): Promise<number> {
  const dirs = Array.from({ length: PROJECTS }, (_, i) => `p${String(i).padStart(2, '0')}`);
  return withApp(repo, parallelism, async (app) => {
    await atlantisPlan(app, SECRET, 'bench/runs', ['small']); // the clone, outside the measurement
    const seconds: number[] = [];
    for (let i = 0; i < ROUNDS; i++) seconds.push((await timed(() => atlantisPlan(app, SECRET, 'bench/runs', dirs))) / 1000);
    return percentile(seconds, 50);
  });
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function report(single: number[], floor: number[], parallel: { parallelism: number; seconds: number }[]): string {
  const ratio = percentile(single, 50) / percentile(floor, 50);
  const a = table(['one small project', 'n', 'p50 ms', 'p99 ms'], [
    ['POST /api/plan (request → response)', String(single.length), percentile(single, 50).toFixed(0), percentile(single, 99).toFixed(0)],
    ['terraform init && terraform plan by hand', String(floor.length), percentile(floor, 50).toFixed(0), percentile(floor, 99).toFixed(0)],
  ]);
  const base = parallel.find((p) => p.parallelism === 1)!.seconds;
  const b = table([`${PROJECTS} projects in one POST /api/plan`, 'rounds', 'wall s (p50)', 'speedup vs 1'], parallel.map((p) => [
    `ATLANTAS_PARALLELISM=${p.parallelism}`, String(ROUNDS), p.seconds.toFixed(2), `${(base / p.seconds).toFixed(2)}×`,
  ]));
  return `${a}\noverhead (p50 ÷ floor p50): ${ratio.toFixed(2)}×\n\n${b}\n(${os.cpus().length} CPUs)`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
