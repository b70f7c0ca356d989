import type { FlagSpec } from './flag-parser.js';

/**
 * pflag's `FlagUsagesWrapped(cols)`: one line per flag sorted by long name, descriptions aligned
 * in one column and wrapped to `cols` (Atlantis uses 90), each line ending in "\n".
 */
export function flagUsagesWrapped(specs: FlagSpec[], cols = 90): string {
  const sorted = [...specs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const heads = sorted.map((f) => {
    const head = f.short ? `  -${f.short}, --${f.name}` : `      --${f.name}`;
    return f.kind === 'string' ? `${head} string` : head;
  });
  // pflag measures the head plus one placeholder character, then prints head, a space, the padding,
  // a space and the text: the text starts at column maxlen + 2.
  const maxlen = Math.max(0, ...heads.map((h) => h.length + 1));
  return sorted
    .map((f, i) => `${heads[i]} ${' '.repeat(maxlen - heads[i].length)} ${wrap(maxlen + 2, cols, f.usage)}\n`)
    .join('');
}

/** pflag's wrap(i, w, s): wraps `s` to width `w` with continuation lines indented by `i`. */
function wrap(indent: number, width: number, s: string): string {
  let i = indent;
  let room = width - i;
  let out = '';
  if (room < 24) {
    i = 16;
    room = width - i;
    out += `\n${' '.repeat(i)}`;
  }
  if (room < 24) return s.replace(/\n/g, out);
  const slop = 5;
  room -= slop;
  const pad = `\n${' '.repeat(i)}`;
  let [line, rest] = wrapN(room, slop, s);
  out += line.replace(/\n/g, pad);
  while (rest !== '') {
    [line, rest] = wrapN(room, slop, rest);
    out += pad + line.replace(/\n/g, pad);
  }
  return out;
}

function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const head = s.slice(0, i);
  const w = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (w <= 0) return [s, ''];
  const nl = head.lastIndexOf('\n');
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}
