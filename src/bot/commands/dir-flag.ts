import { cleanRepoRelDir } from '../../core/projects/paths.js';
import { goQuote } from './flag-parser.js';

/**
 * Validation of the `-d/--dir` value of a comment, as Atlantis does it: a plain directory is
 * cleaned and made relative to the repository root and must not escape it; a value containing
 * `*`, `?` or `[` is a glob, kept as written (minus a leading `./` or `/`), without `..`, and
 * syntactically valid.
 */
export type DirCheck = { ok: true; dir: string; isGlob: boolean } | { ok: false; message: string };

export function checkDirFlag(raw: string): DirCheck {
  if (raw === '') return { ok: true, dir: '', isGlob: false };
  if (/[*?[]/.test(raw)) return checkGlob(raw);
  const dir = cleanRepoRelDir(raw);
  if (dir === null) return { ok: false, message: `using a relative path ${goQuote(raw)} with -d/--dir is not allowed` };
  return { ok: true, dir, isGlob: false };
}

function checkGlob(raw: string): DirCheck {
  if (raw.includes('..')) return { ok: false, message: `using '..' in glob pattern ${goQuote(raw)} with -d/--dir is not allowed` };
  if (globSyntaxProblem(raw) !== null) return { ok: false, message: `invalid glob pattern ${goQuote(raw)} with -d/--dir` };
  let dir = raw;
  while (dir.startsWith('./') || dir.startsWith('/')) dir = dir.startsWith('/') ? dir.slice(1) : dir.slice(2);
  return { ok: true, dir: dir === '' ? '.' : dir, isGlob: true };
}

/**
 * Doublestar pattern syntax: `[...]` classes must be closed and not empty, `{a,b}` alternatives
 * must be closed, and a backslash must escape something. Returns the problem, or null.
 */
export function globSyntaxProblem(pattern: string): string | null {
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 >= pattern.length) return 'trailing backslash';
      i++;
    } else if (c === '[') {
      const end = classEnd(pattern, i);
      if (end === -1) return 'unclosed character class';
      i = end;
    } else if (c === '{') {
      braces++;
    } else if (c === '}' && braces > 0) {
      braces--;
    }
  }
  return braces > 0 ? 'unclosed alternatives' : null;
}

/** Index of the `]` closing the class that opens at `start`, or -1. */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '!' || pattern[i] === '^') i++;
  const first = i;
  for (; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']') return i === first ? -1 : i;
  }
  return -1;
}
