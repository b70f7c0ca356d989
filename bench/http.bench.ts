/**
 * HTTP throughput: requests per second of `GET /api/locks` (public, Atlantis's) and
 * `GET /api/v1/runs?per_page=50` (a token, 1,000 runs in the tenant) on the real server
 * (main.ts's startServer, a fresh PostgreSQL schema), next to a bare Koa handler on the same
 * machine answering the same bytes: the floor a Koa server cannot beat. Keep-alive clients on a
 * worker thread, for a fixed time each.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import { startTestApp } from '../test/harness/start-app.js';
import { insertRunsSql, load, table, type Load } from './support.js';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 8);
const LOCKS = 10;

export async function run(): Promise<string> {
  const app = await startTestApp({ env: { LOG_LEVEL: 'warn', ATLANTAS_RATE_LIMIT: '0' } });
  try {
    const tenantId = await app.factories.defaultTenantId();
    await app.sql(insertRunsSql(), { tenantId, n: 1000 });
    await app.sql(
      `INSERT INTO project_locks (tenant_id, repo_full_name, dir, workspace, project_name, holder_kind, pr_number, pr_url, holder_name, locked_by, vcs_login)
       SELECT :tenantId, 'bench/locks', 'dir' || g, 'default', '', 'pull_request', g, 'https://github.com/bench/locks/pull/' || g, 'PR #' || g, 'bench', 'octocat'
       FROM generate_series(1, :n) g`,
      { tenantId, n: LOCKS },
    );
    await app.sql('ANALYZE runs');
    const { token } = await app.factories.user({ role: 'viewer' }); // an API token, as CI and scripts use
    const cases: { label: string; path: string; headers: Record<string, string> }[] = [
      { label: `GET /api/locks (${LOCKS} locks)`, path: '/api/locks', headers: {} },
      { label: 'GET /api/v1/runs?per_page=50 (1,000 runs)', path: '/api/v1/runs?per_page=50', headers: { authorization: `Bearer ${token}` } },
    ];
    const rows: string[][] = [];
    for (const c of cases) {
      const res = await fetch(app.url + c.path, { headers: c.headers });
      const bytes = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200) throw new Error(`${c.path} answered ${res.status}: ${bytes.toString().slice(0, 200)}`);
      const ours = await load(app.url + c.path, { headers: c.headers, connections: CONNECTIONS, seconds: SECONDS });
      const floor = await withBareKoa(bytes, (url) => load(url + c.path, { connections: CONNECTIONS, seconds: SECONDS }));
      rows.push(row(c.label, bytes.length, ours, floor));
    }
    return `${table(['endpoint', 'bytes', 'req/s', 'p50 ms', 'p99 ms', 'bare Koa req/s', 'p50 ms', 'p99 ms', 'req/s ÷ bare'], rows)}\n(${CONNECTIONS} keep-alive connections, ${SECONDS} s each)`;
  } finally {
    await app.close();
  }
}

/** A Koa app that answers every request with `bytes` as JSON, on a loopback port. */
async function withBareKoa<T>(bytes: Buffer, fn: (url: string) => Promise<T>): Promise<T> {
  const koa = new Koa();
  koa.use((ctx) => {
    ctx.type = 'application/json';
    ctx.body = bytes;
  });
  const server: Server = await new Promise((resolve) => {
    const s = koa.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function row(label: string, bytes: number, ours: Load, floor: Load): string[] {
  if (ours.errors || floor.errors) throw new Error(`${label}: ${ours.errors} errors, ${floor.errors} on the bare handler`);
  return [
    label, String(bytes), ours.perSecond.toFixed(0), ours.p50.toFixed(2), ours.p99.toFixed(2),
    floor.perSecond.toFixed(0), floor.p50.toFixed(2), floor.p99.toFixed(2), `${(ours.perSecond / floor.perSecond).toFixed(2)}×`,
  ];
}
