/**
 * Does a root module declare where its state lives? True when a top-level `terraform { … }`
 * block contains `backend "<type>" { … }` or `cloud { … }`. A small lexer over HCL native
 * syntax: comments (#, //, block), quoted strings with `${…}` templates and heredocs are
 * skipped, so a commented-out or quoted backend block does not count. Pure.
 */

type Token = { kind: 'ident'; value: string } | { kind: 'label' } | { kind: '{' } | { kind: '}' } | { kind: 'newline' } | { kind: 'other' };

export function hclDeclaresBackend(source: string): boolean {
  const stack: string[] = []; // block type names, '' for object literals and other braces
  let line: Token[] = [];
  for (const token of tokenize(source)) {
    if (token.kind === 'newline') {
      line = [];
    } else if (token.kind === '{') {
      const type = blockType(line);
      if (stack.length === 1 && stack[0] === 'terraform' && isStateBlock(type, line)) return true;
      stack.push(stack.length === 0 && type === 'terraform' && line.length === 1 ? 'terraform' : (type ?? ''));
      line = [];
    } else if (token.kind === '}') {
      stack.pop();
      line = [];
    } else {
      line.push(token);
    }
  }
  return false;
}

/** `terraform.backend` / `terraform.cloud` in a .tf.json file (terraform may be an object or a list). */
export function jsonDeclaresBackend(source: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(source);
  } catch {
    return false; // terraform itself reports the syntax error
  }
  const tf = (doc as { terraform?: unknown } | null)?.terraform;
  const blocks = Array.isArray(tf) ? tf : [tf];
  return blocks.some((b) => typeof b === 'object' && b !== null && ('backend' in b || 'cloud' in b));
}

function isStateBlock(type: string | null, header: Token[]): boolean {
  if (type === 'backend') return header.length === 2; // backend "s3" {
  return type === 'cloud' && header.length === 1; // cloud {
}

/** The block type when the tokens before `{` are `ident label*`, else null (an object literal). */
function blockType(header: Token[]): string | null {
  const [first, ...labels] = header;
  if (first?.kind !== 'ident') return null;
  return labels.every((t) => t.kind === 'label' || t.kind === 'ident') ? first.value : null;
}

function* tokenize(src: string): Generator<Token> {
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      yield { kind: 'newline' };
      i++;
    } else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const comment = src.slice(i, end < 0 ? src.length : end + 2);
      for (const ch of comment) if (ch === '\n') yield { kind: 'newline' };
      i += comment.length;
    } else if (c === '"') {
      i = skipString(src, i);
      yield { kind: 'label' };
    } else if (c === '<' && src[i + 1] === '<' && /^<<-?[A-Za-z_]/.test(src.slice(i, i + 4))) {
      i = skipHeredoc(src, i);
      yield { kind: 'other' };
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i, i + 256))!;
      yield { kind: 'ident', value: m[0] };
      i += m[0].length;
    } else {
      if (c === '{' || c === '}') yield { kind: c };
      else if (!/\s/.test(c)) yield { kind: 'other' };
      i++;
    }
  }
}

/** From an opening quote to just past its closing quote, through `${ … }` / `%{ … }` templates. */
function skipString(src: string, start: number): number {
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else if (c === '\n') return i; // unterminated: HCL forbids newlines in quoted strings
    else if ((c === '$' || c === '%') && src[i + 1] === c) i += 2; // $${ and %%{ are literal
    else if ((c === '$' || c === '%') && src[i + 1] === '{') i = skipTemplate(src, i + 2);
    else i++;
  }
  return i;
}

/** Inside `${`: to just past the matching `}`, skipping nested strings. */
function skipTemplate(src: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < src.length && depth > 0) {
    const c = src[i];
    if (c === '"') {
      i = skipString(src, i);
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') depth--;
    i++;
  }
  return i;
}

/** `<<EOF` / `<<-EOF` … a line holding only EOF (indentation allowed). */
function skipHeredoc(src: string, start: number): number {
  const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(src.slice(start, start + 300));
  if (!m) return start + 2;
  let i = start + m[0].length;
  while (i < src.length) {
    const eol = src.indexOf('\n', i);
    const lineEnd = eol < 0 ? src.length : eol;
    if (src.slice(i, lineEnd).trim() === m[1]) return lineEnd; // leave the newline to the lexer
    i = lineEnd + 1;
  }
  return src.length;
}
