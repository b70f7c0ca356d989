/**
 * A flag parser with the behaviour of spf13/pflag (ContinueOnError, interspersed), which Atlantis
 * uses for comment commands: flags and positional arguments in any order, `--` ends the flags,
 * `--flag=value`, `--flag value`, `-f value`, `-fvalue`, `-f=value`, boolean flags without a value,
 * `-h`/`--help` asking for usage, and pflag's exact error texts.
 */

export interface FlagSpec {
  name: string;
  short?: string;
  kind: 'string' | 'bool';
  usage: string;
}

export type FlagValues = Record<string, string | boolean>;

export type FlagParseResult =
  | { kind: 'ok'; values: FlagValues; args: string[]; argsLenAtDash: number }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

class FlagError extends Error {}
class HelpRequested extends Error {}

/** Reads `input` by index: shifting an array per word is quadratic on a comment of 30,000 words. */
interface Cursor {
  specs: FlagSpec[];
  values: FlagValues;
  input: string[];
  pos: number;
}

function hasNext(cur: Cursor): boolean {
  return cur.pos < cur.input.length;
}

function next(cur: Cursor): string {
  return cur.input[cur.pos++];
}

/** Parses `input` against `specs`. `argsLenAtDash` is -1 when there was no `--`, as in pflag. */
export function parseFlags(specs: FlagSpec[], input: string[]): FlagParseResult {
  const cur: Cursor = { specs, values: {}, input, pos: 0 };
  const args: string[] = [];
  let argsLenAtDash = -1;
  try {
    while (hasNext(cur)) {
      const s = next(cur);
      if (s.length < 2 || s[0] !== '-') {
        args.push(s);
      } else if (s === '--') {
        argsLenAtDash = args.length;
        while (hasNext(cur)) args.push(next(cur));
      } else if (s[1] === '-') {
        parseLong(cur, s);
      } else {
        parseShorts(cur, s);
      }
    }
  } catch (err) {
    if (err instanceof HelpRequested) return { kind: 'help' };
    if (err instanceof FlagError) return { kind: 'error', message: err.message };
    throw err;
  }
  return { kind: 'ok', values: cur.values, args, argsLenAtDash };
}

function parseLong(cur: Cursor, s: string): void {
  const body = s.slice(2);
  if (body === '' || body[0] === '-' || body[0] === '=') throw new FlagError(`bad flag syntax: ${s}`);
  const eq = body.indexOf('=');
  const name = eq === -1 ? body : body.slice(0, eq);
  const spec = cur.specs.find((f) => f.name === name);
  if (!spec) {
    if (name === 'help') throw new HelpRequested();
    throw new FlagError(`unknown flag: --${name}`);
  }
  let value: string;
  if (eq !== -1) value = body.slice(eq + 1);
  else if (spec.kind === 'bool') value = 'true';
  else if (hasNext(cur)) value = next(cur);
  else throw new FlagError(`flag needs an argument: ${s}`);
  setValue(cur.values, spec, value);
}

function parseShorts(cur: Cursor, s: string): void {
  let shorthands = s.slice(1);
  while (shorthands.length > 0) {
    const c = shorthands[0];
    const spec = cur.specs.find((f) => f.short === c);
    if (!spec) {
      if (c === 'h') throw new HelpRequested();
      throw new FlagError(`unknown shorthand flag: ${goQuoteRune(c)} in -${shorthands}`);
    }
    let value: string;
    if (shorthands.length > 2 && shorthands[1] === '=') {
      value = shorthands.slice(2);
      shorthands = '';
    } else if (spec.kind === 'bool') {
      value = 'true';
      shorthands = shorthands.slice(1);
    } else if (shorthands.length > 1) {
      value = shorthands.slice(1);
      shorthands = '';
    } else if (hasNext(cur)) {
      value = next(cur);
      shorthands = '';
    } else {
      throw new FlagError(`flag needs an argument: ${goQuoteRune(c)} in -${shorthands}`);
    }
    setValue(cur.values, spec, value);
  }
}

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function setValue(values: FlagValues, spec: FlagSpec, value: string): void {
  if (spec.kind === 'string') {
    values[spec.name] = value;
    return;
  }
  if (TRUE_WORDS.has(value)) values[spec.name] = true;
  else if (FALSE_WORDS.has(value)) values[spec.name] = false;
  else {
    const flagName = spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
    throw new FlagError(`invalid argument ${goQuote(value)} for ${goQuote(flagName)} flag: strconv.ParseBool: parsing ${goQuote(value)}: invalid syntax`);
  }
}

/** Go's %q for a string: double-quoted with Go escapes for quotes, backslashes and control characters. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch, '"');
  return `${out}"`;
}

/** Go's %q for a single byte/rune: 'e'. */
function goQuoteRune(c: string): string {
  return `'${escapeRune(c, "'")}'`;
}

function escapeRune(ch: string, quote: string): string {
  if (ch === quote || ch === '\\') return `\\${ch}`;
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
  if (named[ch]) return named[ch];
  const code = ch.codePointAt(0) as number;
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  return ch;
}
