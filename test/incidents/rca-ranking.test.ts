import { describe, expect, it } from 'vitest';
import { completionsUrl } from '../../src/core/ai/llm-client.js';
import { cappedJson, redactText, redactValue } from '../../src/core/ai/redact.js';
import type { Evidence } from '../../src/core/rca/evidence.js';
import { rankEvidence } from '../../src/core/rca/ranking.js';

const start = new Date('2026-12-04T12:00:00Z');
const ev = (id: string, over: Partial<Evidence>): Evidence => ({
  id, kind: 'apply', at: new Date(start.getTime() - 60_000), projectId: 'p', project: 'p', summary: id, actor: 'a', addresses: [], destroys: 0, replaces: 0, detail: {}, ...over,
});
const signal = { startedAt: start, affected: ['aws_db.main', 'aws_sg.db'], windowMs: 86_400_000 };

describe('RCA ranking (pure)', () => {
  it('puts the apply that touched the affected resources first, and explains each score', () => {
    const ranked = rankEvidence([
      ev('apply:unrelated', { addresses: ['aws_s3.logs'], at: new Date(start.getTime() - 7_200_000) }),
      ev('apply:cause', { addresses: ['aws_db.main', 'aws_sg.db'], at: new Date(start.getTime() - 3_600_000) }),
      ev('state_write:hand', { kind: 'state_write', forced: true, at: new Date(start.getTime() - 5_000) }),
    ], signal);
    expect(ranked.map((r) => r.id)).toEqual(['apply:cause', 'state_write:hand', 'apply:unrelated']);
    expect(ranked[0].reasons).toEqual(['an apply (+10)', '60 min before the incident started (+23.8)', 'touched 2 of 2 affected resources: aws_db.main, aws_sg.db (+40)']);
    expect(ranked[0].score).toBe(73.8);
    expect(ranked[1].reasons).toContain('forced (+6)');
    expect(ranked[2].reasons).toContain('touched none of the affected resources (+0)');
  });

  it('weighs destroys and replaces, caps them, and breaks ties by the later time then the id', () => {
    const [heavy] = rankEvidence([ev('apply:x', { destroys: 4, replaces: 3 })], signal);
    expect(heavy.reasons.at(-1)).toBe('destroyed 4, replaced 3 (+20)');
    const tie = rankEvidence([ev('apply:b', {}), ev('apply:a', {}), ev('apply:later', { at: new Date(start.getTime() - 30_000) })], { ...signal, affected: [] });
    expect(tie.map((r) => [r.id, r.rank])).toEqual([['apply:later', 1], ['apply:a', 2], ['apply:b', 3]]);
  });
});

describe('what may be sent to the model', () => {
  it('replaces credentials in free text and empties secret-named keys', () => {
    expect(redactText('token atl_abcdefghijklmnop and xoxb-123456789-abcdef and password=hunter2 ok')).toBe('token [redacted] and [redacted] and password=[redacted] ok');
    expect(redactText('postgres://app:s3cret@db:5432/x')).toBe('[redacted]db:5432/x');
    expect(redactValue({ title: 'AKIAABCDEFGHIJKLMNOP leaked', api_key: 'k', client_secret: 'c', count: 3, nested: [{ token: 'x', ok: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlMTIz' }] }))
      .toEqual({ title: '[redacted] leaked', api_key: '[redacted]', client_secret: '[redacted]', count: 3, nested: [{ token: '[redacted]', ok: '[redacted]' }] });
  });

  it('caps the size by dropping the last items of the longest list, and says how many', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ id: `e${i}`, summary: 'x'.repeat(100) }));
    const { json, truncated } = cappedJson({ candidates: items, incident: { title: 't' } }, 2_000);
    expect(json.length).toBeLessThanOrEqual(2_000);
    const parsed = JSON.parse(json);
    expect(parsed.candidates[0].id).toBe('e0');
    expect(parsed.omitted_items).toBe(truncated);
    expect(truncated + parsed.candidates.length).toBe(100);
  });

  it('reaches the chat completions endpoint from a base URL, …/v1 or the full path', () => {
    expect(completionsUrl('https://llm.example.com')).toBe('https://llm.example.com/v1/chat/completions');
    expect(completionsUrl('https://llm.example.com/v1/')).toBe('https://llm.example.com/v1/chat/completions');
    expect(completionsUrl('https://llm.example.com/openai/v1/chat/completions')).toBe('https://llm.example.com/openai/v1/chat/completions');
  });
});
