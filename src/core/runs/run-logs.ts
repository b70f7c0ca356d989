import { QueryTypes, type Sequelize } from 'sequelize';
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

/** Output of a run, stored in chunks as it streams, readable whole or from a sequence number. */
export class RunLogs {
  constructor(private readonly deps: { sequelize: Sequelize; events: RunEvents }) {}

  /** A buffered writer for one run; `close()` flushes the rest. */
  async writer(runId: string): Promise<RunLogWriter> {
    const [row] = await this.deps.sequelize.query<{ seq: number | null; bytes: string | null }>(
      'SELECT max(seq) AS seq, sum(octet_length(chunk)) AS bytes FROM run_logs WHERE run_id = :runId',
      { replacements: { runId }, type: QueryTypes.SELECT },
    );
    return new RunLogWriter(this.deps.sequelize, this.deps.events, runId, (row?.seq ?? 0) + 1, Number(row?.bytes ?? 0));
  }

  async read(runId: string, afterSeq = 0, limit = 10_000): Promise<LogChunk[]> {
    return this.deps.sequelize.query<LogChunk>(
      'SELECT seq, phase, chunk FROM run_logs WHERE run_id = :runId AND seq > :afterSeq ORDER BY seq LIMIT :limit',
      { replacements: { runId, afterSeq, limit }, type: QueryTypes.SELECT },
    );
  }

  async text(runId: string, phase?: string): Promise<string> {
    const chunks = await this.read(runId, 0, 1_000_000);
    return chunks.filter((c) => !phase || c.phase === phase).map((c) => c.chunk).join('');
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
      await this.sequelize.query('INSERT INTO run_logs (run_id, seq, phase, chunk) VALUES (:runId, :seq, :phase, :chunk)', {
        replacements: { runId: this.runId, seq, phase, chunk: chunk.replace(/\u0000/g, '') },
      });
      this.events.emit({ type: 'log', runId: this.runId, seq, phase, chunk });
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

