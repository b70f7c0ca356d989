/**
 * Run logs at rest: what sealing each chunk (AES-256-GCM, run-logs.ts) costs. A 16 MiB log (the
 * per-run cap) is written through RunLogWriter, as terraform output streams, and read back whole
 * (every chunk decrypted, as `GET /api/v1/runs/{id}` does), next to the same chunks inserted and
 * selected as plaintext through the same Sequelize connection: the floor without encryption.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { connectDb } from '../src/core/db/connection.js';
import { migrate } from '../src/core/db/migrate.js';
import { RunEvents } from '../src/core/runs/run-events.js';
import { RunLogRepository } from '../src/core/runs/run-log.repository.js';
import { MAX_LOG_BYTES, RunLogs } from '../src/core/runs/run-logs.js';
import { Encryptor } from '../src/core/secrets/encryption.js';
import { captureLogs } from '../test/harness/capture-logs.js';
import { createTestSchema, testDatabaseUrl } from '../test/harness/test-db.js';

const ITERATIONS = Number(process.env.BENCH_LOG_ITERATIONS ?? 5);
const PIECE = 4096; // about what one read from terraform's stdout pipe delivers
const CHUNK = 32 * 1024; // the writer's flush size

export async function run(): Promise<string> {
  const { schema, drop } = await createTestSchema('bench');
  const log = captureLogs('warn').log;
  const db = await connectDb({ url: testDatabaseUrl(), schema, poolMax: 5, dataDir: '/nonexistent', log });
  const encryptor = new Encryptor(randomBytes(32));
  try {
    await migrate(db, log, { encryptor });
    const { sequelize } = db;
    await sequelize.query('CREATE TABLE bench_plain_logs (run_id uuid, seq integer, phase text, chunk text, PRIMARY KEY (run_id, seq))');
    const logs = new RunLogs({ repo: new RunLogRepository({ sequelize }), events: new RunEvents(), encryptor });
    const output = terraformLikeOutput(MAX_LOG_BYTES - 1024);
    const w: number[][] = [[], [], [], []];
    for (let i = 0; i < ITERATIONS; i++) {
      const runId = await newRun(sequelize);
      w[0].push(await timed(() => writeSealed(logs, runId, output)));
      w[1].push(await timed(() => writePlain(sequelize, runId, output)));
      w[2].push(await timed(async () => check(await logs.text(runId), output)));
      w[3].push(await timed(async () => check(await readPlain(sequelize, runId), output)));
    }
    const mb = output.length / 1024 / 1024;
    const line = (label: string, sealed: number[], plain: number[]) =>
      `${label.padEnd(22)} ${fmt(mb / (p50(sealed) / 1000))} MB/s sealed   ${fmt(mb / (p50(plain) / 1000))} MB/s plaintext   ×${(p50(sealed) / p50(plain)).toFixed(2)} time`;
    return [
      `${mb.toFixed(1)} MiB log in ${Math.ceil(output.length / CHUNK)} chunks, p50 of ${ITERATIONS}`,
      line('write (RunLogWriter)', w[0], w[1]),
      line('read whole log', w[2], w[3]),
    ].join('\n');
  } finally {
    await db.close();
    await drop();
  }
}

async function newRun(sequelize: Sequelize): Promise<string> {
  const id = randomUUID();
  await sequelize.query(
    `WITH t AS (INSERT INTO tenants (name, slug) VALUES ('bench', :slug) RETURNING id)
     INSERT INTO runs (id, tenant_id, operation, source, repo_full_name, actor_kind, actor_name, via) SELECT :id, t.id, 'plan', 'api', 'bench/logs', 'system', 'bench', 'api' FROM t`,
    { replacements: { id, slug: `bench-${id}` } },
  );
  return id;
}

async function writeSealed(logs: RunLogs, runId: string, output: string): Promise<void> {
  const writer = await logs.writer(runId);
  for (let i = 0; i < output.length; i += PIECE) writer.append(output.slice(i, i + PIECE));
  await writer.close();
}

async function writePlain(sequelize: Sequelize, runId: string, output: string): Promise<void> {
  for (let i = 0, seq = 1; i < output.length; i += CHUNK, seq++) {
    await sequelize.query("INSERT INTO bench_plain_logs (run_id, seq, phase, chunk) VALUES (:runId, :seq, 'plan', :chunk)", {
      replacements: { runId, seq, chunk: output.slice(i, i + CHUNK) },
    });
  }
}

async function readPlain(sequelize: Sequelize, runId: string): Promise<string> {
  const rows = await sequelize.query<{ chunk: string }>('SELECT chunk FROM bench_plain_logs WHERE run_id = :runId ORDER BY seq', { replacements: { runId }, type: QueryTypes.SELECT });
  return rows.map((r) => r.chunk).join('');
}

/** Lines shaped like a large plan's output. */
function terraformLikeOutput(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `  # terraform_data.r${i} will be created\n  + resource "terraform_data" "r${i}" {\n      + input = "${randomBytes(24).toString('hex')}"\n    }\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('').slice(0, bytes);
}

function check(got: string, want: string): void {
  if (got !== want) throw new Error(`read back ${got.length} characters, wrote ${want.length}`);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number) => n.toFixed(1).padStart(6);
