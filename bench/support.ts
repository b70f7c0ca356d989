/**
 * What the bench sections share: timing, percentiles, a side-by-side table, a keep-alive HTTP
 * load loop on a worker thread (so the client does not share the server's event loop), and fast
 * bulk runs for a tenant. Not a section itself (its name does not end in .bench.ts).
 */
import { Worker } from 'node:worker_threads';
import type { TestApp } from '../test/harness/start-app.js';

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Columns padded; the first left-aligned, the rest right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface Load {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const LOAD_WORKER = `
const http = require('node:http');
const { workerData, parentPort } = require('node:worker_threads');
const { url, headers, connections, seconds } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);
const ms = [];
let errors = 0;
const until = Date.now() + seconds * 1000;
function one() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, headers, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        ms.push(Number(process.hrtime.bigint() - started) / 1e6);
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end();
  });
}
async function loop() { while (Date.now() < until) await one(); }
const started = Date.now();
Promise.all(Array.from({ length: connections }, loop)).then(() => {
  agent.destroy();
  parentPort.postMessage({ ms, errors, elapsed: (Date.now() - started) / 1000 });
});
`;

/** `connections` keep-alive clients sending GET `url` back to back for `seconds`, from a worker thread. */
export async function load(url: string, options: { headers?: Record<string, string>; connections?: number; seconds?: number } = {}): Promise<Load> {
  const workerData = { url, headers: options.headers ?? {}, connections: options.connections ?? 8, seconds: options.seconds ?? 5 };
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData });
  const result = await new Promise<{ ms: number[]; errors: number; elapsed: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  return { requests: result.ms.length, perSecond: result.ms.length / result.elapsed, p50: percentile(result.ms, 50), p99: percentile(result.ms, 99), errors: result.errors };
}

/**
 * `n` finished plan runs in a tenant in one statement (generate_series), one second apart and
 * newest now, with the columns a run made through the API has.
 */
export function insertRunsSql(): string {
  return `INSERT INTO runs (tenant_id, title, operation, source, status, repo_full_name, repo_url, dir, workspace, project_name, ref, commit_sha,
                            has_changes, resources_added, resources_changed, resources_destroyed, resources_imported, summary,
                            actor_kind, actor_name, via, queued_at, started_at, planned_at, finished_at, created_at, updated_at)
          SELECT :tenantId, 'bench run ' || g, 'plan', 'api', 'planned_and_finished', 'bench/runs', 'https://github.com/bench/runs.git',
                 'p' || (g % 20), 'default', 'p' || (g % 20), 'main', md5(g::text) || substr(md5(g::text), 1, 8),
                 false, 0, 0, 0, 0, 'No changes. Your infrastructure matches the configuration.',
                 'user', 'bench@example.com', 'api', t, t, t + interval '3 seconds', t + interval '3 seconds', t, t
          FROM generate_series(1, :n) g, LATERAL (SELECT now() - g * interval '1 second' AS t) times`;
}

/** POST /api/plan of `dirs` (default workspace) with the Atlantis API secret; throws unless every project planned. */
export async function atlantisPlan(app: TestApp, secret: string, repository: string, dirs: string[] = ['small']): Promise<void> {
  const res = await app.req('POST', '/api/plan', {
    headers: { 'x-atlantis-token': secret },
    body: { Repository: repository, Ref: 'main', Type: 'Github', Paths: dirs.map((d) => ({ Directory: d, Workspace: 'default' })) },
  });
  if (res.status !== 200 || res.body?.data?.success_count !== dirs.length) {
    throw new Error(`POST /api/plan failed: ${res.status} ${JSON.stringify(res.body?.error ?? res.body?.data?.projects?.find((p: any) => p.status !== 'success') ?? res.body)}`);
  }
}

/** One warm-up each, then `iterations` of each, alternating (so load changes hit both alike); the p50 of each. */
export async function alternate(a: () => Promise<number>, b: () => Promise<number>, iterations: number): Promise<[number, number]> {
  await a();
  await b();
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < iterations; i++) {
    as.push(await a());
    bs.push(await b());
  }
  return [percentile(as, 50), percentile(bs, 50)];
}
