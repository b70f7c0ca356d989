import { QueryTypes, type Sequelize } from 'sequelize';
import type { Encryptor } from '../secrets/encryption.js';
import type { RunEvents } from './run-events.js';

const FLUSH_MS = 200;
const FLUSH_BYTES = 32 * 1024;
/** a run stores at most this much output; the rest is summarised in one line */
export const MAX_LOG_BYTES = 16 * 1024 * 1024;

export interface LogChunk {
  seq: number;
  phase: string;
  chunk: string;
}

/** Binds a chunk's ciphertext to its run and place: a chunk copied to another run or seq does not decrypt. */
export function runLogAad(runId: string, seq: number): string {
  return `run-log:${runId}:${seq}`;
}

/**
 * Output of a run, stored in chunks as it streams, readable whole or from a sequence number.
 * Each chunk is sealed (AES-256-GCM, key id beside it, bound to run and seq): terraform prints
 * the values of a configuration, so a database dump must not show them. `size` is the
 * plaintext length, for the per-run cap.
 */
export class RunLogs {
  constructor(private readonly deps: { sequelize: Sequelize; events: RunEvents; encryptor: Encryptor }) {}

  /** A buffered writer for one run; `close()` flushes the rest. */
  async writer(runId: string): Promise<RunLogWriter> {
    const [row] = await this.deps.sequelize.query<{ seq: number | null; bytes: string | null }>(
      'SELECT max(seq) AS seq, sum(size) AS bytes FROM run_logs WHERE run_id = :runId',
      { replacements: { runId }, type: QueryTypes.SELECT },
    );
    return new RunLogWriter(this.deps.sequelize, this.deps.events, this.deps.encryptor, runId, (row?.seq ?? 0) + 1, Number(row?.bytes ?? 0));
  }

  async read(runId: string, afterSeq = 0, limit = 10_000, phase?: string): Promise<LogChunk[]> {
    const rows = await this.deps.sequelize.query<{ seq: number; phase: string; key_id: string; data: Buffer }>(
      `SELECT seq, phase, key_id, data FROM run_logs WHERE run_id = :runId AND seq > :afterSeq${phase ? ' AND phase = :phase' : ''} ORDER BY seq LIMIT :limit`,
      { replacements: { runId, afterSeq, limit, phase: phase ?? null }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ seq: r.seq, phase: r.phase, chunk: this.deps.encryptor.openString({ keyId: r.key_id, data: r.data }, runLogAad(runId, r.seq)) }));
  }

  /** The whole output (or one phase's): every chunk is decrypted. */
  async text(runId: string, phase?: string): Promise<string> {
    return (await this.read(runId, 0, 1_000_000, phase)).map((c) => c.chunk).join('');
  }
}

export class RunLogWriter {
  private buffer = '';
  private phase = 'plan';
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private truncated = false;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly events: RunEvents,
    private readonly encryptor: Encryptor,
    private readonly runId: string,
    private seq: number,
    private bytes: number,
  ) {}

  setPhase(phase: string): void {
    if (phase !== this.phase && this.buffer) void this.flush();
    this.phase = phase;
  }

  append(text: string): void {
    if (this.truncated) return;
    if (this.bytes + Buffer.byteLength(text) > MAX_LOG_BYTES) {
      this.truncated = true;
      text = `\n[output truncated: this run produced more than ${MAX_LOG_BYTES / 1024 / 1024} MiB]\n`;
    }
    this.bytes += Buffer.byteLength(text);
    this.buffer += text;
    if (this.buffer.length >= FLUSH_BYTES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const chunk = this.buffer;
    this.buffer = '';
    if (!chunk) return this.flushing;
    const seq = this.seq++;
    const phase = this.phase;
    this.flushing = this.flushing.then(async () => {
      const stored = chunk.replace(/\u0000/g, '');
      const sealed = this.encryptor.seal(stored, runLogAad(this.runId, seq));
      await this.sequelize.query('INSERT INTO run_logs (run_id, seq, phase, key_id, data, size) VALUES (:runId, :seq, :phase, :keyId, :data, :size)', {
        replacements: { runId: this.runId, seq, phase, keyId: sealed.keyId, data: sealed.data, size: Buffer.byteLength(stored) },
      });
      this.events.emit({ type: 'log', runId: this.runId, seq, phase, chunk });
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

