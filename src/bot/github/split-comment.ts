/**
 * Splits a long comment into parts that fit GitHub's limit (Atlantis `SplitComment` semantics):
 * it works backwards from the end, prefers newline boundaries, ends every part but the last with
 * SPLIT_WARNING, starts every part but the first with `Continued <command> output from previous
 * comment.`, and closes any open code fence or <details> at a cut and reopens it in the next part.
 * With more parts than `maxComments` it keeps the tail and puts TRUNCATED_WARNING on top.
 * Lengths are UTF-16 code units (never less than GitHub's character count); surrogate pairs are
 * never cut.
 */

export const GITHUB_COMMENT_LIMIT = 65536;
export const SPLIT_WARNING = '\n<br>\n\n**Warning**: Output length greater than max comment size. Continued in next comment.';
export const TRUNCATED_WARNING =
  '> [!WARNING]\n> **Warning**: Command output is larger than the maximum number of comments per command. Output truncated.\n\n';

export function continuedHeader(command: string): string {
  return `Continued ${command} output from previous comment.\n`;
}

/** One posted part: `prefix + content + suffix`; the contents of all parts concatenate to the body's tail. */
export interface CommentSegment {
  prefix: string;
  content: string;
  suffix: string;
}

export interface SplitOptions {
  /** Atlantis `--max-comments-per-command` (default 100). */
  maxComments?: number;
}

export function splitComment(body: string, limit = GITHUB_COMMENT_LIMIT, command = 'plan', options: SplitOptions = {}): string[] {
  return splitCommentSegments(body, limit, command, options).map((s) => s.prefix + s.content + s.suffix);
}

export function splitCommentSegments(body: string, limit = GITHUB_COMMENT_LIMIT, command = 'plan', options: SplitOptions = {}): CommentSegment[] {
  if (body.length <= limit) return [{ prefix: '', content: body, suffix: '' }];
  const maxComments = Math.max(1, options.maxComments ?? 100);
  const scan = scanStates(body);
  const segments: CommentSegment[] = [];
  let end = body.length;
  while (end > 0) {
    const suffix = segments.length === 0 ? '' : closeFor(stateAt(scan, body, end), body[end - 1] === '\n') + SPLIT_WARNING;
    if (end + suffix.length <= limit) {
      segments.unshift({ prefix: '', content: body.slice(0, end), suffix });
      break;
    }
    const truncating = segments.length === maxComments - 1;
    const head = truncating ? TRUNCATED_WARNING : continuedHeader(command);
    const start = findStart(scan, body, end, limit - suffix.length, head);
    segments.unshift({ prefix: head + reopenFor(stateAt(scan, body, start)), content: body.slice(start, end), suffix });
    if (truncating) break;
    end = start;
  }
  return segments;
}

/** The smallest start (the biggest part) that fits, at a line start when that keeps at least half. */
function findStart(scan: Scan, body: string, end: number, cap: number, head: string): number {
  const cost = (s: number): number => head.length + reopenFor(stateAt(scan, body, s)).length + (end - s);
  let start = Math.max(1, end - (cap - head.length));
  for (let i = 0; i < scan.lineStarts.length; i++) {
    const line = scan.lineStarts[i];
    if (line < start || line >= end || closesFence(scan, i)) continue;
    if (end - line < (cap - head.length) / 2) break;
    if (cost(line) <= cap) return line;
  }
  while (start < end && cost(start) > cap) start += cost(start) - cap;
  if (start < end && isLowSurrogate(body.charCodeAt(start))) start++;
  if (start >= end) throw new Error(`a comment limit of ${cap} characters is too small to split this comment`);
  return start;
}

/** Cutting just before a fence's closing line would only leave an empty fence in the next part. */
function closesFence(scan: Scan, line: number): boolean {
  return scan.states[line].fence !== null && scan.states[line + 1]?.fence === null;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

interface Fence {
  line: string;
  indent: string;
  ticks: number;
}

interface OpenState {
  fence: Fence | null;
  /** Opening tags (with their <summary>) of the <details> still open, outermost first. */
  details: string[];
}

interface Scan {
  lineStarts: number[];
  /** states[i]: what is open before line i. */
  states: OpenState[];
}

const FENCE_OPEN = /^(\s*)(`{3,})([^`]*)$/;
const FENCE_CLOSE = /^\s*(`{3,})\s*$/;
const DETAILS_TAG = /<details\b[^>]*>(?:\s*<summary>.*?<\/summary>)?|<\/details>/gi;

function scanStates(body: string): Scan {
  const lineStarts: number[] = [];
  const states: OpenState[] = [];
  let state: OpenState = { fence: null, details: [] };
  let pos = 0;
  for (const line of body.split('\n')) {
    lineStarts.push(pos);
    states.push(state);
    state = step(state, line);
    pos += line.length + 1;
  }
  return { lineStarts, states };
}

function step(state: OpenState, line: string): OpenState {
  if (state.fence) {
    const close = FENCE_CLOSE.exec(line);
    return close && close[1].length >= state.fence.ticks ? { ...state, fence: null } : state;
  }
  const open = FENCE_OPEN.exec(line);
  if (open) return { ...state, fence: { line, indent: open[1], ticks: open[2].length } };
  return { ...state, details: applyDetailsTags(state.details, line) };
}

function applyDetailsTags(open: string[], text: string): string[] {
  const details = [...open];
  for (const match of text.matchAll(DETAILS_TAG)) {
    if (match[0].toLowerCase() === '</details>') details.pop();
    else details.push(match[0]);
  }
  return details;
}

/** What is open at any position: the state of its line, plus <details> tags earlier on a cut line. */
function stateAt(scan: Scan, body: string, pos: number): OpenState {
  let lo = 0;
  let hi = scan.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (scan.lineStarts[mid] <= pos) lo = mid;
    else hi = mid - 1;
  }
  const state = scan.states[lo];
  const lineStart = scan.lineStarts[lo];
  if (pos === lineStart || state.fence) return state;
  return { ...state, details: applyDetailsTags(state.details, body.slice(lineStart, pos)) };
}

function closeFor(state: OpenState, atLineStart: boolean): string {
  let out = state.fence ? `${state.fence.indent}${'`'.repeat(state.fence.ticks)}\n` : '';
  out += '</details>\n'.repeat(state.details.length);
  return out !== '' && !atLineStart ? `\n${out}` : out;
}

function reopenFor(state: OpenState): string {
  const details = state.details.map((tag) => `${tag}\n\n`).join('');
  return details + (state.fence ? `${state.fence.line}\n` : '');
}
