/**
 * Checks that a buffer is one JSON text and picks the raw bytes of a few top-level fields, without
 * building the document. A state push needs only `serial` and `lineage` of a body that can be
 * megabytes: `JSON.parse` would decode it to a string and build every object of every resource
 * just to throw them away, and that garbage (not the parse) was most of the time a large push
 * spent in Node. This reads each byte once, allocates nothing per value, and accepts exactly the
 * texts `JSON.parse(buf.toString('utf8'))` accepts (RFC 8259; test/core/state/json-scan.test.ts
 * compares the two), so a truncated or corrupt upload is still refused before it is stored.
 */

/** What a scan found: whether the text is an object, and the raw JSON of the wanted top-level keys. */
export interface JsonScan {
  isObject: boolean;
  /** the last occurrence of each wanted key, as JSON.parse keeps it; `undefined` when absent */
  fields: Map<string, unknown>;
}

const OBJECT = 1;
const ARRAY = 2;
const NOT_SCALAR = Symbol('object or array');

/** Scans `buf`; null when it is not valid JSON. A wanted key whose value is an object or array comes back as a symbol. */
export function scanJson(buf: Uint8Array, wanted: readonly string[]): JsonScan | null {
  try {
    return new Scanner(buf, wanted).run();
  } catch (err) {
    if (err === INVALID) return null;
    throw err;
  }
}

const INVALID = new Error('invalid JSON');
function invalid(): never {
  throw INVALID;
}

class Scanner {
  private i = 0;
  private readonly stack: number[] = [];
  private readonly fields = new Map<string, unknown>();

  constructor(private readonly buf: Uint8Array, private readonly wanted: readonly string[]) {}

  run(): JsonScan {
    const { buf } = this;
    this.ws();
    const isObject = buf[this.i] === 0x7b;
    let capture: string | null = null;
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        this.ws();
        const c = buf[this.i];
        if (c === 0x7b || c === 0x5b) {
          if (capture) this.fields.set(capture, NOT_SCALAR);
          capture = null;
          this.i++;
          this.ws();
          if (buf[this.i] === (c === 0x7b ? 0x7d : 0x5d)) {
            this.i++;
            expectValue = false;
          } else if (c === 0x7b) {
            this.stack.push(OBJECT);
            capture = this.key();
          } else {
            this.stack.push(ARRAY);
          }
          continue;
        }
        const start = this.i;
        this.scalar(c);
        if (capture) this.fields.set(capture, JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + start, this.i - start).toString('utf8')));
        capture = null;
        expectValue = false;
        continue;
      }
      this.ws();
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) {
        if (this.i !== buf.length) invalid();
        return { isObject, fields: this.fields };
      }
      const c = buf[this.i++];
      if (c === 0x2c) {
        expectValue = true;
        if (top === OBJECT) capture = this.key();
      } else if ((c === 0x7d && top === OBJECT) || (c === 0x5d && top === ARRAY)) {
        this.stack.pop();
      } else {
        invalid();
      }
    }
  }

  /** Reads `"key" :` inside an object; returns the key when it is a wanted top-level one. */
  private key(): string | null {
    this.ws();
    const start = this.i;
    if (this.buf[start] !== 0x22) invalid();
    const escaped = this.string();
    const end = this.i;
    this.ws();
    if (this.buf[this.i++] !== 0x3a) invalid();
    if (this.stack.length !== 1) return null;
    const raw = Buffer.from(this.buf.buffer, this.buf.byteOffset + start, end - start);
    const key = escaped ? (JSON.parse(raw.toString('utf8')) as string) : raw.toString('utf8', 1, raw.length - 1);
    return this.wanted.includes(key) ? key : null;
  }

  private ws(): void {
    const { buf } = this;
    let i = this.i;
    for (let c = buf[i]; c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = buf[++i]);
    this.i = i;
  }

  private scalar(c: number | undefined): void {
    if (c === 0x22) this.string();
    else if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) this.number();
    else if (c === 0x74) this.literal('true');
    else if (c === 0x66) this.literal('false');
    else if (c === 0x6e) this.literal('null');
    else invalid();
  }

  /** A string from its opening quote; returns whether it had escapes. */
  private string(): boolean {
    const { buf } = this;
    const n = buf.length;
    let escaped = false;
    let i = this.i + 1;
    for (;;) {
      while (PLAIN[buf[i]] === 1) i++;
      if (i >= n) invalid();
      const c = buf[i];
      if (c === 0x22) break;
      if (c !== 0x5c) invalid(); // a control character
      escaped = true;
      const e = buf[i + 1];
      if (e === 0x75) {
        for (let k = i + 2; k < i + 6; k++) if (!isHex(buf[k])) invalid();
        i += 6;
      } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        i += 2;
      } else {
        invalid();
      }
    }
    this.i = i + 1;
    return escaped;
  }

  /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
  private number(): void {
    const { buf } = this;
    let i = this.i;
    if (buf[i] === 0x2d) i++;
    if (buf[i] === 0x30) i++;
    else if (isDigit(buf[i])) while (isDigit(buf[i])) i++;
    else invalid();
    if (buf[i] === 0x2e) {
      i++;
      if (!isDigit(buf[i])) invalid();
      while (isDigit(buf[i])) i++;
    }
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      i++;
      if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
      if (!isDigit(buf[i])) invalid();
      while (isDigit(buf[i])) i++;
    }
    this.i = i;
  }

  private literal(word: string): void {
    for (let k = 0; k < word.length; k++) if (this.buf[this.i + k] !== word.charCodeAt(k)) invalid();
    this.i += word.length;
  }
}

/** 1 for the bytes a string may hold as they are: not a quote, a backslash or a control character. */
const PLAIN = new Uint8Array(256).map((_, b) => (b >= 0x20 && b !== 0x22 && b !== 0x5c ? 1 : 0));

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined) => c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
