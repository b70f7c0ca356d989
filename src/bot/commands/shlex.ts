/**
 * A shell-like word splitter with the semantics of github.com/google/shlex, which Atlantis uses
 * to re-split a PR comment. Nothing here ever reaches a shell: the words become argv items.
 *
 * - Words are separated by space, tab, CR and LF.
 * - '…' keeps everything literally; "…" keeps everything except that a backslash makes the
 *   next character literal (the backslash itself is dropped, as google/shlex does).
 * - Outside quotes a backslash makes the next character literal.
 * - `#` at the start of a word begins a comment that runs to the end of the line.
 * - An unterminated quote or a trailing backslash is an error with google/shlex's text.
 */

export class ShlexError extends Error {
  override readonly name = 'ShlexError';
}

type State = 'start' | 'word' | 'escape' | 'escapeInDouble' | 'double' | 'single' | 'comment';

const SPACES = new Set([' ', '\t', '\r', '\n']);

/** Splits `input` into words; throws ShlexError on an unterminated quote or escape. */
export function shlexSplit(input: string): string[] {
  const words: string[] = [];
  let state: State = 'start';
  let word = '';
  const emit = (): void => {
    if (state !== 'comment') words.push(word);
    word = '';
    state = 'start';
  };
  // By UTF-16 unit: every special character is ASCII, so surrogate pairs pass through intact.
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    switch (state) {
      case 'start':
        if (SPACES.has(ch)) break;
        state = ch === '"' ? 'double' : ch === "'" ? 'single' : ch === '\\' ? 'escape' : ch === '#' ? 'comment' : 'word';
        if (state === 'word') word = ch;
        break;
      case 'word':
        if (SPACES.has(ch)) emit();
        else if (ch === '"') state = 'double';
        else if (ch === "'") state = 'single';
        else if (ch === '\\') state = 'escape';
        else word += ch;
        break;
      case 'escape':
        word += ch;
        state = 'word';
        break;
      case 'escapeInDouble':
        word += ch;
        state = 'double';
        break;
      case 'double':
        if (ch === '"') state = 'word';
        else if (ch === '\\') state = 'escapeInDouble';
        else word += ch;
        break;
      case 'single':
        if (ch === "'") state = 'word';
        else word += ch;
        break;
      case 'comment':
        if (ch === '\n') emit();
        break;
    }
  }
  return finish(state, word, words);
}

function finish(state: State, word: string, words: string[]): string[] {
  switch (state) {
    case 'escape':
    case 'escapeInDouble':
      throw new ShlexError('EOF found after escape character');
    case 'double':
    case 'single':
      throw new ShlexError('EOF found when expecting closing quote');
    case 'word':
      return [...words, word];
    default:
      return words;
  }
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./[\]{}-]+$/;

/**
 * Quotes one argv item so that `shlexSplit` gives it back unchanged: plain words stay as they
 * are, anything else is wrapped in single quotes ('it'"'"'s' for an embedded quote).
 */
export function shellQuote(arg: string): string {
  if (SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'"'"'`)}'`;
}
