/**
 * Typed reads over a `ConfigReader` whose failures name the file, the line, the path and the
 * expected type, and never quote the value found: a config file may hold anything (a mounted
 * secret by mistake, a symlink to the environment), and its errors reach logs and stderr.
 * Well-formed key names are named, since a key is structure, not a value. Pure: no I/O.
 */
import type { ConfigReader, Located } from '../terraform/repo-config-reader.js';

const KEY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export class QuietReader {
  constructor(readonly reader: ConfigReader) {}

  fail(at: Located, problem: string): never {
    return this.reader.fail(at, problem);
  }

  isSet(at: Located | undefined): at is Located {
    return at !== undefined && this.reader.kind(at) !== 'null';
  }

  /** A mapping's values by key (null = empty); a key outside `allowed` is refused, naming only the allowed ones. */
  mapping(at: Located, allowed: readonly string[], unsupported: Record<string, string> = {}): Map<string, Located> {
    const kind = this.reader.kind(at);
    if (kind === 'null') return new Map();
    if (kind !== 'map') this.fail(at, `must be a mapping of ${allowed.join(', ')}`);
    const entries = this.reader.entries(at, null);
    for (const [key, value] of entries) {
      const why = Object.hasOwn(unsupported, key) ? unsupported[key] : undefined;
      if (why) {
        if (this.isSet(value)) this.fail(value, `is not supported by Atlantas: ${why}`);
      } else if (!allowed.includes(key)) {
        const name = KEY_NAME.test(key) ? ` "${key}"` : '';
        this.fail({ ...value, path: at.path }, `unknown key${name}; allowed keys are: ${allowed.join(', ')}`);
      }
    }
    return entries;
  }

  /** A list's items (null = empty). */
  list(at: Located): Located[] {
    const kind = this.reader.kind(at);
    if (kind === 'null') return [];
    if (kind !== 'list') this.fail(at, 'must be a list');
    return this.reader.items(at);
  }

  text(at: Located, what = 'a text value'): string {
    if (this.reader.kind(at) !== 'scalar') this.fail(at, `must be ${what}`);
    return this.reader.text(at);
  }

  bool(at: Located): boolean {
    const node = at.node as { value?: unknown } | null;
    if (this.reader.kind(at) !== 'scalar' || typeof node?.value !== 'boolean') this.fail(at, 'must be true or false');
    return node.value;
  }

  oneOf<T extends string>(at: Located, allowed: readonly T[]): T {
    const value = this.reader.kind(at) === 'scalar' ? this.reader.text(at) : null;
    if (value === null || !(allowed as readonly string[]).includes(value)) this.fail(at, `must be one of: ${allowed.join(', ')}`);
    return value as T;
  }

  /** A list of allowed words, duplicates dropped. */
  set<T extends string>(at: Located, allowed: readonly T[]): T[] {
    return [...new Set(this.list(at).map((item) => this.oneOf(item, allowed)))];
  }

  texts(at: Located): string[] {
    return this.list(at).map((item) => this.text(item));
  }

  /** `/source/` → the compiled regex (case-insensitive when `flags` says so). */
  regex(at: Located, flags = ''): RegExp {
    const text = this.text(at, 'a regex between slashes, like /^main$/');
    if (text.length < 2 || !text.startsWith('/') || !text.endsWith('/')) this.fail(at, 'must be a regex between slashes, like /^main$/');
    try {
      return new RegExp(text.slice(1, -1), flags);
    } catch (err) {
      // V8 puts the pattern itself before the last ": "; keep only the reason.
      this.fail(at, `is not a valid regular expression (${(err as Error).message.split(': ').at(-1)})`);
    }
  }
}
