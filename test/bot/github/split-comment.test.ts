import { describe, expect, it } from 'vitest';
import { renderCommentResults, type ProjectResult } from '../../../src/bot/github/render.js';
import { SPLIT_WARNING, TRUNCATED_WARNING, splitComment, splitCommentSegments } from '../../../src/bot/github/split-comment.js';

const WARNING = '\n<br>\n\n**Warning**: Output length greater than max comment size. Continued in next comment.';
const CONTINUED = 'Continued plan output from previous comment.\n';

/** Open fences and <details> left at the end of a part, read the way GitHub's markdown does. */
function unbalanced(part: string): { fence: boolean; details: number } {
  let fence: number | null = null;
  let details = 0;
  for (const line of part.split('\n')) {
    const ticks = /^\s*(`{3,})/.exec(line)?.[1].length ?? 0;
    if (fence !== null) {
      if (ticks >= fence && /^\s*`+\s*$/.test(line)) fence = null;
    } else if (ticks > 0) {
      fence = ticks;
    } else {
      details += (line.match(/<details>/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
    }
  }
  return { fence: fence !== null, details };
}

function bigPlan(projects: number, linesEach: number): string {
  const results: ProjectResult[] = Array.from({ length: projects }, (_, p) => ({
    command: 'plan', projectName: `p${p}`, dir: `envs/p${p}`, workspace: 'default', status: 'success', lockUrl: `https://x/locks/${p}`,
    output: Array.from({ length: linesEach }, (_, i) => `  + resource "terraform_data" "r${p}_${i}" { input = "${'v'.repeat(i % 40)}" }`).join('\n'),
  }));
  return renderCommentResults('plan', results, { executableName: 'atlantis', verbose: true });
}

describe('splitComment', () => {
  it('keeps a comment that fits as it is', () => {
    expect(splitComment('short', 10)).toEqual(['short']);
    expect(splitComment('x'.repeat(65536))).toHaveLength(1);
  });

  it('splits a large rendered plan into parts within the limit, with the continuation texts and balanced markdown', () => {
    const body = bigPlan(3, 400);
    expect(body.length).toBeGreaterThan(3 * 20_000);
    for (const limit of [4000, 9000, 65536]) {
      const parts = splitComment(body, limit);
      expect(parts.length).toBeGreaterThan(1);
      parts.forEach((part, i) => {
        expect(part.length).toBeLessThanOrEqual(limit);
        expect(part.startsWith(CONTINUED)).toBe(i > 0);
        expect(part.endsWith(WARNING)).toBe(i < parts.length - 1);
        expect(unbalanced(part)).toEqual({ fence: false, details: 0 });
      });
    }
  });

  it('loses no content: the parts minus the added texts concatenate to the body', () => {
    const body = bigPlan(2, 300);
    const segments = splitCommentSegments(body, 5000);
    expect(segments.map((s) => s.content).join('')).toBe(body);
    expect(segments.map((s) => s.prefix + s.content + s.suffix)).toEqual(splitComment(body, 5000));
    for (const [i, s] of segments.entries()) {
      if (i > 0) expect(s.prefix).toMatch(/^Continued plan output from previous comment\.\n(<details><summary>[^\n]*\n\n)*(\s*`{3,}\w*\n)?$/);
      if (i < segments.length - 1) expect(s.suffix).toMatch(/^\n?(\s*`{3,}\n)?(<\/details>\n)*\n<br>\n\n\*\*Warning\*\*/);
    }
  });

  it('closes and reopens the fence and <details> it cuts through, at a line boundary', () => {
    const out = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const body = `Ran Plan for dir: \`.\` workspace: \`default\`\n\n<details><summary>Show Output</summary>\n\n\`\`\`diff\n${out.join('\n')}\n\`\`\`\n</details>\n\nPlan: 8 to add.`;
    // The tail part is filled first: 46 (header) + 41 + 8 (reopened) + 174 (line 8..29) + 31 = 300.
    expect(splitComment(body, 300, 'apply')).toEqual([
      `Ran Plan for dir: \`.\` workspace: \`default\`\n\n<details><summary>Show Output</summary>\n\n\`\`\`diff\n${out.slice(0, 8).join('\n')}\n\`\`\`\n</details>\n${WARNING}`,
      `Continued apply output from previous comment.\n<details><summary>Show Output</summary>\n\n\`\`\`diff\n${out.slice(8).join('\n')}\n\`\`\`\n</details>\n\nPlan: 8 to add.`,
    ]);
  });

  it('cuts a single huge line where it must, never inside a surrogate pair', () => {
    const body = '😀'.repeat(5000);
    const parts = splitComment(body, 1001);
    expect(parts.every((p) => p.length <= 1001)).toBe(true);
    expect(parts.some((p) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(p))).toBe(false);
    expect(splitCommentSegments(body, 1001).map((s) => s.content).join('')).toBe(body);
  });

  it('keeps the tail and warns on top when there would be more parts than allowed', () => {
    const body = bigPlan(2, 300);
    const all = splitCommentSegments(body, 3000);
    const kept = splitCommentSegments(body, 3000, 'plan', { maxComments: 3 });
    expect(all.length).toBeGreaterThan(3);
    expect(kept).toHaveLength(3);
    expect(kept[0].prefix.startsWith(TRUNCATED_WARNING)).toBe(true);
    expect(kept.slice(1)).toEqual(all.slice(-2));
    expect(body.endsWith(kept.map((s) => s.content).join(''))).toBe(true);
    expect(splitComment(body, 3000, 'plan', { maxComments: 3 }).every((p) => p.length <= 3000)).toBe(true);
  });

  it('refuses a limit too small to hold the added texts', () => {
    expect(() => splitComment('x\n'.repeat(500), 100)).toThrow(/too small/);
    expect(SPLIT_WARNING).toBe(WARNING);
  });
});
