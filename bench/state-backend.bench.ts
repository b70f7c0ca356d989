/**
 * State backend throughput: POST then GET of a 1 MiB and a 10 MiB state, 50 times each, through
 * the real server (auth, encryption, version rules, PostgreSQL), next to the same bytes inserted
 * and read straight through `pg` in the same run, interleaved: the floor Atlantas cannot beat.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { startTestApp, type TestApp } from '../test/harness/start-app.js';
import { testDatabaseUrl } from '../test/harness/test-db.js';

const SIZES = [1, 10].map((mib) => mib * 1024 * 1024);
const ITERATIONS = Number(process.env.BENCH_STATE_ITERATIONS ?? 50);
const WARMUP = 2;

interface Series {
  label: string;
  bytes: number;
  ms: number[];
  /** CPU time of this process (server, client and pg driver; not PostgreSQL's) per operation */
  cpu: number[];
}

export async function run(): Promise<string> {
  const app = await startTestApp({ env: { LOG_LEVEL: 'warn', ATLANTAS_RATE_LIMIT: '0' } });
  const client = new pg.Client({ connectionString: testDatabaseUrl(), options: `-c search_path=${app.reuse.schema}` });
  await client.connect();
  try {
    // EXTERNAL: stored out of line without TOAST compression, like the (incompressible) ciphertexts
    // Atlantas stores; otherwise the floor would pay for compressing plaintext JSON.
    await client.query('CREATE TABLE bench_floor (id serial PRIMARY KEY, data bytea NOT NULL)');
    await client.query('ALTER TABLE bench_floor ALTER COLUMN data SET STORAGE EXTERNAL');
    const rows: string[][] = [];
    for (const size of SIZES) {
      const state = stateOfSize(size);
      const [post, get, insert, select] = await interleaved(app, client, state);
      rows.push(row(post, insert), row(get, select));
    }
    return table(['operation', 'size', 'n', 'MB/s', 'p50 ms', 'p99 ms', 'pg MB/s', 'pg p50', 'pg p99', 'time ÷ pg', 'cpu ms p50', 'pg cpu ms p50'], rows);
  } finally {
    await client.end();
    await app.close();
  }
}

/** A v4 state of about `size` bytes; `body(serial)` renders it with that serial. */
function stateOfSize(size: number): { size: number; body(serial: number): Buffer } {
  const lineage = randomUUID();
  const resources: unknown[] = [];
  let approx = 200;
  while (approx < size) {
    const input = randomBytes(600).toString('hex');
    const resource = {
      mode: 'managed', type: 'terraform_data', name: `r${resources.length}`, provider: 'provider["terraform.io/builtin/terraform"]',
      instances: [{ schema_version: 0, attributes: { id: randomUUID(), input: { value: input, type: 'string' }, output: { value: input, type: 'string' }, triggers_replace: null }, sensitive_attributes: [] }],
    };
    resources.push(resource);
    approx += JSON.stringify(resource).length + 1;
  }
  const rest = JSON.stringify({ lineage, outputs: {}, resources, check_results: null }).slice(1);
  const probe = Buffer.from(`{"version":4,"terraform_version":"1.11.4","serial":1,${rest}`);
  return { size: probe.length, body: (serial) => Buffer.from(`{"version":4,"terraform_version":"1.11.4","serial":${serial},${rest}`) };
}

/**
 * Each iteration does the Atlantas POST and GET and then the floor's INSERT and SELECT, so that
 * whatever else the machine is doing weighs on both sides of the ratio alike.
 */
async function interleaved(app: TestApp, client: pg.Client, state: ReturnType<typeof stateOfSize>): Promise<Series[]> {
  const url = `${app.url}/api/v1/tfstate/bench-${state.size}/default`;
  const auth = { authorization: `Bearer ${app.admin.token}` };
  const series = ['POST state', 'GET state', 'pg INSERT', 'pg SELECT'].map((label): Series => ({ label, bytes: state.size, ms: [], cpu: [] }));
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const body = state.body(i + 1);
    const headers = { ...auth, 'content-type': 'application/json', 'content-md5': createHash('md5').update(body).digest('base64') };
    let id = 0;
    const ms = [
      await timed(async () => expectOk(await fetch(url, { method: 'POST', headers, body }))),
      await timed(async () => {
        const res = await fetch(url, { headers: auth });
        const got = Buffer.from(await res.arrayBuffer());
        if (res.status !== 200 || !got.equals(body)) throw new Error(`GET returned ${res.status}, ${got.length} bytes`);
      }),
      await timed(async () => {
        id = (await client.query('INSERT INTO bench_floor (data) VALUES ($1) RETURNING id', [body])).rows[0].id;
      }),
      await timed(async () => {
        const got: Buffer = (await client.query('SELECT data FROM bench_floor WHERE id = $1', [id])).rows[0].data;
        if (got.length !== body.length) throw new Error('pg floor read back the wrong bytes');
      }),
    ];
    if (i >= WARMUP) {
      ms.forEach((m, k) => {
        series[k].ms.push(m.wall);
        series[k].cpu.push(m.cpu);
      });
    }
  }
  return series;
}

async function expectOk(res: Response): Promise<void> {
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST returned ${res.status}: ${text.slice(0, 300)}`);
}

/** Wall time and this process's CPU time (ms): on a busy machine the CPU time is the steadier of the two. */
async function timed(fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - started) / 1e6, cpu: (used.user + used.system) / 1000 };
}

function percentile(ms: number[], p: number): number {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const mbps = (s: Series) => (s.bytes * s.ms.length) / 1e6 / (s.ms.reduce((a, b) => a + b, 0) / 1000);

function row(ours: Series, floor: Series): string[] {
  const sum = (s: Series) => s.ms.reduce((a, b) => a + b, 0);
  return [
    ours.label, `${(ours.bytes / 1024 / 1024).toFixed(1)} MiB`, String(ours.ms.length),
    mbps(ours).toFixed(1), percentile(ours.ms, 50).toFixed(1), percentile(ours.ms, 99).toFixed(1),
    mbps(floor).toFixed(1), percentile(floor.ms, 50).toFixed(1), percentile(floor.ms, 99).toFixed(1),
    `${(sum(ours) / sum(floor)).toFixed(2)}×`, percentile(ours.cpu, 50).toFixed(1), percentile(floor.cpu, 50).toFixed(1),
  ];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
