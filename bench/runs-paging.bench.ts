/**
 * Paging GET /api/v1/runs: p50/p99 of one page of 50 with 1,000 and with 100,000 runs in the
 * tenant (both tenants in one table, inserted with generate_series), on the real server. The
 * first page (which counts the tenant's runs for X-Total-Count), a page in the middle by
 * `page=` (offset: PostgreSQL reads and drops every run before it) and the same page by `cursor=`
 * (keyset: an index range). The ratio is the 100k tenant against the 1k one, its floor.
 */
import { startTestApp, type TestApp } from '../test/harness/start-app.js';
import { encodeRunCursor } from '../src/core/runs/run-cursor.js';
import { insertRunsSql, percentile, table, timed } from './support.js';

const SIZES = [1_000, 100_000];
const ITERATIONS = Number(process.env.BENCH_PAGING_ITERATIONS ?? 50);
const PER_PAGE = 50;

interface Timings {
  [label: string]: number[];
}

export async function run(): Promise<string> {
  const app = await startTestApp({ env: { LOG_LEVEL: 'warn', ATLANTAS_RATE_LIMIT: '0' } });
  try {
    const results: Timings[] = [];
    for (const n of SIZES) results.push(await measure(app, n));
    const labels = Object.keys(results[0]);
    const [small, large] = results;
    const rows = labels.map((label) => [
      label,
      percentile(small[label], 50).toFixed(2), percentile(small[label], 99).toFixed(2),
      percentile(large[label], 50).toFixed(2), percentile(large[label], 99).toFixed(2),
      `${(percentile(large[label], 50) / percentile(small[label], 50)).toFixed(2)}×`,
    ]);
    return `${table(['page of 50 runs', '1k p50 ms', '1k p99 ms', '100k p50 ms', '100k p99 ms', '100k ÷ 1k (p50)'], rows)}\n(${ITERATIONS} requests each, one at a time)`;
  } finally {
    await app.close();
  }
}

async function measure(app: TestApp, n: number): Promise<Timings> {
  const tenant = await app.factories.tenant();
  await app.sql(insertRunsSql(), { tenantId: tenant.id, n });
  // What autovacuum does after a bulk insert, here at once: statistics and the visibility map
  // (which lets the count read only the index).
  await app.sql('VACUUM ANALYZE runs');
  const middle = Math.floor(n / 2);
  const [position] = await app.sql<{ createdAt: string; id: string }>(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "createdAt", id FROM runs
     WHERE tenant_id = :tenantId ORDER BY created_at DESC, id DESC OFFSET :offset LIMIT 1`,
    { tenantId: tenant.id, offset: middle - 1 },
  );
  const paths: Record<string, string> = {
    'first page (?per_page=50, counts the runs)': `/api/v1/runs?per_page=${PER_PAGE}`,
    [`middle page by offset (?page=)`]: `/api/v1/runs?per_page=${PER_PAGE}&page=${middle / PER_PAGE + 1}`,
    'middle page by cursor (?cursor=)': `/api/v1/runs?per_page=${PER_PAGE}&cursor=${encodeRunCursor(position)}`,
  };
  const byOffset = await get(app, tenant.adminToken, paths['middle page by offset (?page=)']);
  const byCursor = await get(app, tenant.adminToken, paths['middle page by cursor (?cursor=)']);
  if (byOffset.join() !== byCursor.join() || byCursor.length !== PER_PAGE) throw new Error('offset and cursor disagree on the middle page');
  const timings: Timings = {};
  for (const [label, path] of Object.entries(paths)) {
    await get(app, tenant.adminToken, path);
    timings[label] = [];
    for (let i = 0; i < ITERATIONS; i++) timings[label].push(await timed(() => get(app, tenant.adminToken, path)));
  }
  return timings;
}

async function get(app: TestApp, token: string, path: string): Promise<string[]> {
  const res = await fetch(app.url + path, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { id: string }[];
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
  return body.map((r) => r.id);
}
