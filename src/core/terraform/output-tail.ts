/**
 * A text buffer that keeps only the last `maxBytes` bytes (utf8) of what is appended, so that a
 * runaway process cannot exhaust memory. Dropping never splits a multibyte character. Pure.
 */
export class OutputTail {
  readonly #maxBytes: number;
  #chunks: { text: string; bytes: number }[] = [];
  #bytes = 0;
  #truncated = false;

  constructor(maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
    this.#maxBytes = maxBytes;
  }

  append(text: string): void {
    if (!text) return;
    const bytes = Buffer.byteLength(text, 'utf8');
    this.#chunks.push({ text, bytes });
    this.#bytes += bytes;
    this.#trim();
  }

  /** true once anything was dropped */
  get truncated(): boolean {
    return this.#truncated;
  }

  get bytes(): number {
    return this.#bytes;
  }

  toString(): string {
    if (this.#chunks.length > 1) this.#chunks = [{ text: this.#chunks.map((c) => c.text).join(''), bytes: this.#bytes }];
    return this.#chunks[0]?.text ?? '';
  }

  #trim(): void {
    while (this.#bytes > this.#maxBytes && this.#chunks.length > 0) {
      const first = this.#chunks[0];
      this.#truncated = true;
      const excess = this.#bytes - this.#maxBytes;
      if (first.bytes <= excess) {
        this.#chunks.shift();
        this.#bytes -= first.bytes;
        continue;
      }
      const kept = dropLeadingBytes(first.text, excess);
      const keptBytes = Buffer.byteLength(kept, 'utf8');
      this.#bytes -= first.bytes - keptBytes;
      this.#chunks[0] = { text: kept, bytes: keptBytes };
    }
  }
}

/** Drops at least `n` leading bytes, moving forward to the next character boundary. */
export function dropLeadingBytes(text: string, n: number): string {
  const buf = Buffer.from(text, 'utf8');
  let start = Math.min(n, buf.length);
  while (start < buf.length && (buf[start] & 0xc0) === 0x80) start++; // skip utf8 continuation bytes
  return buf.subarray(start).toString('utf8');
}
