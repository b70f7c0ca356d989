import { describe, expect, it } from 'vitest';
import { PendingAnswers } from '../../../src/core/runs/pending-answers.js';

describe('PendingAnswers: work after a run\'s answer waits until the answer is written', () => {
  it('holds a run until every caller answering for it released it', async () => {
    const answers = new PendingAnswers();
    const first = answers.hold(['r1']);
    const second = answers.hold(['r1', 'r2']);
    let settled = false;
    const waited = answers.answered('r1', 60_000).then(() => (settled = true));
    first();
    first(); // a second call of the same release changes nothing
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    second();
    await waited;
    expect(settled).toBe(true);
  });

  it('does not wait for a run nobody answers for', async () => {
    const answers = new PendingAnswers();
    answers.hold(['other']);
    await answers.answered('r1', 60_000); // a test timeout if it waited
  });

  it('stops waiting after maxMs when a caller never releases, and at once on abort', async () => {
    const answers = new PendingAnswers();
    answers.hold(['r1']);
    const started = Date.now();
    await answers.answered('r1', 20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    const stop = new AbortController();
    const waited = answers.answered('r1', 60_000, stop.signal);
    stop.abort();
    await waited;
  });
});
