/**
 * Small markdown builders for PR comments. Output from terraform is untrusted text: fences and
 * code spans are made longer than any backtick run inside, so that no output can close them early.
 */

/** Outputs with more lines than this are folded into <details> (Atlantis maxUnwrappedLines). */
export const MAX_UNWRAPPED_LINES = 12;

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/** Trailing newlines removed: the fence adds its own. */
export function trimOutput(text: string): string {
  return text.replace(/\s+$/, '');
}

/** A fenced code block (```info … ```), longer than any backtick run in `content`. */
export function fence(content: string, info = ''): string {
  const body = trimOutput(content);
  const ticks = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `${ticks}${info}\n${body}\n${ticks}`;
}

/** An inline code span that survives backticks in `text`. */
export function code(text: string): string {
  const ticks = '`'.repeat(longestBacktickRun(text) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** True when the output is long enough to be folded. */
export function isLong(output: string): boolean {
  return trimOutput(output).split('\n').length > MAX_UNWRAPPED_LINES;
}

/** `<details><summary>Show Output</summary>` around a block. */
export function showOutput(block: string): string {
  return `<details><summary>Show Output</summary>\n\n${block}\n</details>`;
}

/** A fenced output, folded when long. */
export function outputBlock(output: string, info: string): string {
  const block = fence(output, info);
  return isLong(output) ? showOutput(block) : block;
}

/** The `--verbose` log appended to a comment (Atlantis log.tmpl). */
export function logBlock(log: string): string {
  const body = trimOutput(log);
  const ticks = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `<details><summary>Log</summary>\n  <p>\n\n${ticks}\n${body}\n${ticks}\n</p></details>`;
}

/** A bullet with a copyable command, as in the brief's sample: "* text\n  ```shell\n  cmd\n  ```". */
export function commandHint(text: string, command: string): string {
  return `* ${text}\n  \`\`\`shell\n  ${command}\n  \`\`\``;
}
