import type { Encryptor } from '../secrets/encryption.js';
import type { RunEvents } from './run-events.js';
import type { RunLogRepository } from './run-log.repository.js';

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
  constructor(private readonly deps: { repo: RunLogRepository; events: RunEvents; encryptor: Encryptor }) {}

  /** A buffered writer for one run; `close()` flushes the rest. */
  async writer(runId: string): Promise<RunLogWriter> {
    const end = await this.deps.repo.end(runId);
    return new RunLogWriter(this.deps.repo, this.deps.events, this.deps.encryptor, runId, end.seq + 1, end.bytes);
  }

  async read(runId: string, afterSeq = 0, limit = 10_000, phase?: string): Promise<LogChunk[]> {
    const rows = await this.deps.repo.read(runId, afterSeq, limit, phase);
    return rows.map((r) => ({ seq: r.seq, phase: r.phase, chunk: this.deps.encryptor.openString(r, runLogAad(runId, r.seq)) }));
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
    private readonly repo: RunLogRepository,
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
      await this.repo.insert({ runId: this.runId, seq, phase, keyId: sealed.keyId, data: sealed.data, size: Buffer.byteLength(stored) });
      this.events.emit({ type: 'log', runId: this.runId, seq, phase, chunk });
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

