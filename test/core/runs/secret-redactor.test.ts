import { describe, expect, it } from 'vitest';
import type { AfterPlan, CheckedOut, JobOutcome, JobSink, PlannedResult } from '../../../src/core/runs/job.js';
import { RedactingSink, SecretRedactor } from '../../../src/core/runs/secret-redactor.js';

/** A sink that keeps what it was given, as the run's record would. */
class Recorder implements JobSink {
  log = '';
  outcome: JobOutcome | undefined;
  planned_: PlannedResult | undefined;
  appendLog(chunk: string): void {
    this.log += chunk;
  }
  setPhase(): void {}
  async flush(): Promise<void> {}
  async checkedOut(_: CheckedOut): Promise<void> {}
  async planned(result: PlannedResult): Promise<AfterPlan> {
    this.planned_ = result;
    return { apply: false };
  }
  async finished(outcome: JobOutcome): Promise<void> {
    this.outcome = outcome;
  }
}

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('SecretRedactor', () => {
  it('replaces every value, the longer first', () => {
    const r = new SecretRedactor(['abcdef', 'abcdefghij']);
    expect(r.redact('x abcdefghij y abcdef z')).toBe('x [REDACTED] y [REDACTED] z');
    expect(new SecretRedactor([]).redact('nothing to do')).toBe('nothing to do');
    expect(new SecretRedactor(['a.b*c']).redact('a.b*c and axbbc')).toBe('[REDACTED] and axbbc');
  });

  it('redacts a value split across chunks at every position, and holds back no more than a possible start', async () => {
    const text = `before ${SECRET} middle ${SECRET}${SECRET} after`;
    for (let cut = 0; cut <= text.length; cut++) {
      const out = new Recorder();
      const sink = new RedactingSink(out, new SecretRedactor([SECRET]));
      sink.appendLog(text.slice(0, cut));
      sink.appendLog(text.slice(cut));
      await sink.flush();
      expect(out.log, `cut at ${cut}`).toBe('before [REDACTED] middle [REDACTED][REDACTED] after');
    }
    const out = new Recorder();
    const sink = new RedactingSink(out, new SecretRedactor([SECRET]));
    sink.appendLog('line one\nwJal');
    expect(out.log).toBe('line one\n'); // "wJal" could start the value: it waits
    sink.appendLog('ly not a secret\n');
    expect(out.log).toBe('line one\nwJally not a secret\n');
  });

  it('redacts one-character chunks, and a value inside another\'s prefix', async () => {
    const values = ['secret-value-123', 'value-123456'];
    const text = 'a secret-value-123456 b value-123456 c secret-value-12';
    const out = new Recorder();
    const sink = new RedactingSink(out, new SecretRedactor(values));
    for (const ch of text) sink.appendLog(ch);
    await sink.flush();
    expect(out.log).toBe(new SecretRedactor(values).redact(text));
    expect(out.log).not.toContain('secret-value-123');
  });

  it('redacts errors and plan details the sink reports', async () => {
    const out = new Recorder();
    const sink = new RedactingSink(out, new SecretRedactor([SECRET]));
    await sink.planned({ hasChanges: true, summary: `Plan: ${SECRET}`, toAdd: 1, toChange: 0, toDestroy: 0, toImport: 0, resourceDrift: [],
      resourceChanges: [{ address: 'x.y', action: 'create', changes: [{ name: 'input', before: null, after: { nested: [SECRET] } }] }] }, Buffer.from(''));
    await sink.finished({ status: 'errored', error: `denied for ${SECRET}`, statusReason: 'run failed' });
    expect(JSON.stringify(out.planned_)).not.toContain(SECRET);
    expect(out.planned_!.resourceChanges![0]!.changes![0]!.after).toEqual({ nested: ['[REDACTED]'] });
    expect(out.outcome).toEqual({ status: 'errored', error: 'denied for [REDACTED]', statusReason: 'run failed' });
  });
});
