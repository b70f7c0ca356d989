/**
 * Comment parsing: the time `parseComment` takes on adversarial 64 KiB comments (GitHub's
 * maximum), next to floors that look at every character once: `text.split('\n')` of the same
 * input (V8 finds no newline in a single-line text almost for free) and a plain loop over every
 * UTF-16 unit, the least any parser must do; the ratio is against the loop. For the record, the "before" column times the two regexes the grammar
 * used to run on every comment before any permission check (copied below, quadratic on these
 * inputs): each took seconds and held the event loop for every tenant meanwhile.
 */
import { parseComment, type ParseOptions } from '../src/bot/commands/grammar.js';

const K = 64 * 1024;
const ITERATIONS = Number(process.env.BENCH_COMMENT_ITERATIONS ?? 50);
const WARM_UP = 5;
const OPTS: ParseOptions = { executableNames: ['atlantis', 'atlantas'], botUser: 'atlantas-bot' };

/** The old first-line regex and fence strip of src/bot/commands/grammar.ts, verbatim. */
const OLD_MULTI_LINE = /.*\r?\n[^\r\n]+/;
function oldPrefilter(text: string): boolean {
  const comment = text.trim().replace(/^`+|`+$/g, '').trim();
  return OLD_MULTI_LINE.test(comment);
}

const CASES: [string, string][] = [
  ['64 KiB of spaces inside a command', `atlantis plan${' '.repeat(K)}-d x`],
  ['64 KiB of "-" as a flag', `atlantis plan ${'-'.repeat(K)}`],
  ['32 Ki words of "-"', `atlantis plan ${'- '.repeat(K / 2)}`],
  ['one long line after --', `atlantis plan -- ${'a'.repeat(K)}`],
  ['32 Ki extra args', `atlantis plan -- ${'a '.repeat(K / 2)}`],
  ['backticks inside a word', `a${'`'.repeat(K)}a`],
  ['4,681 lines', 'atlantis plan\n'.repeat(Math.floor(K / 14))],
];

export async function run(): Promise<string> {
  const rows = [['case', 'parse (median)', 'split(\\n)', 'one pass', 'parse / one pass', 'before: old regexes (once)']];
  for (const [name, text] of CASES) {
    const parse = median(ITERATIONS, () => parseComment(text, OPTS));
    const split = median(ITERATIONS, () => text.split('\n'));
    const pass = median(ITERATIONS, () => onePass(text));
    const before = time(() => oldPrefilter(text));
    rows.push([name, ms(parse), ms(split), ms(pass), `${(parse / Math.max(pass, 0.001)).toFixed(1)}×`, ms(before)]);
  }
  return table(rows) + `\n(${ITERATIONS} iterations each; input ${K} characters plus the command)`;
}

/** Reads every UTF-16 unit once. */
function onePass(text: string): number {
  let newlines = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) newlines++;
  return newlines;
}

function time(fn: () => unknown): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

function median(n: number, fn: () => unknown): number {
  for (let i = 0; i < WARM_UP; i++) fn();
  const samples = Array.from({ length: n }, () => time(fn)).sort((a, b) => a - b);
  return samples[Math.floor(n / 2)];
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(2)} ms`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}
