import type { AfterPlan, CheckedOut, JobOutcome, JobSink, PlanDetails, PlannedResult } from './job.js';

/**
 * Keeps a job's secret values (its cloud credential, job.secrets) out of everything the runner
 * reports: streamed output, error texts and plan details. A pull request's code can print the
 * environment it runs with; what it prints is stored and shown in PR comments, Slack and the API,
 * so the values are replaced before they leave the runner. Output streams in chunks, and a value
 * can be split between two: the tail of a chunk that could begin a value waits for the next one.
 */

export const REDACTED = '[REDACTED]';

export class SecretRedactor {
  private readonly values: string[];
  private readonly pattern: RegExp | null;

  constructor(values: readonly string[]) {
    // Longest first, so a value containing another is replaced whole.
    this.values = [...new Set(values.filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
    this.pattern = this.values.length ? new RegExp(this.values.map(escape).join('|'), 'g') : null;
  }

  redact(text: string): string {
    return this.pattern ? text.replace(this.pattern, REDACTED) : text;
  }

  /** Every string inside a JSON-like value redacted. */
  redactDeep<T>(value: T): T {
    if (!this.pattern || value === null || value === undefined) return value;
    return JSON.parse(this.redact(JSON.stringify(value))) as T;
  }

  /**
   * Splits `text` into what can be emitted now (redacted) and a tail to hold back: the shortest
   * suffix that could be the start of a value, so that a value cut between chunks still matches.
   */
  split(text: string): { ready: string; held: string } {
    if (!this.pattern) return { ready: text, held: '' };
    // Complete values are replaced wherever they are; the tail after the last one may hold the start of another.
    let lastEnd = 0;
    for (const m of text.matchAll(this.pattern)) lastEnd = m.index + m[0].length;
    let cut = text.length;
    for (const v of this.values) {
      for (let i = text.indexOf(v[0]!, Math.max(lastEnd, text.length - v.length + 1)); i !== -1 && i < cut; i = text.indexOf(v[0]!, i + 1)) {
        if (v.startsWith(text.slice(i))) {
          cut = i;
          break;
        }
      }
    }
    return { ready: this.redact(text.slice(0, cut)), held: text.slice(cut) };
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A JobSink that redacts a job's secrets from everything passed to the sink it wraps. */
export class RedactingSink implements JobSink {
  private held = '';
  readonly spawned?: (pid: number) => void;
  readonly planDetails?: (details: PlanDetails) => Promise<void>;
  readonly answered?: (signal: AbortSignal) => Promise<void>;
  readonly checkedOutMayOverlap?: boolean;

  constructor(private readonly inner: JobSink, private readonly redactor: SecretRedactor) {
    this.checkedOutMayOverlap = inner.checkedOutMayOverlap;
    if (inner.spawned) this.spawned = (pid) => inner.spawned!(pid);
    if (inner.planDetails) this.planDetails = (d) => inner.planDetails!(redactor.redactDeep(d));
    if (inner.answered) this.answered = (signal) => inner.answered!(signal);
  }

  appendLog(chunk: string): void {
    const { ready, held } = this.redactor.split(this.held + chunk);
    this.held = held;
    if (ready) this.inner.appendLog(ready);
  }

  setPhase(phase: 'init' | 'plan' | 'apply'): void {
    this.release();
    this.inner.setPhase(phase);
  }

  flush(): Promise<void> {
    this.release();
    return this.inner.flush();
  }

  checkedOut(info: CheckedOut): Promise<void> {
    return this.inner.checkedOut(info);
  }

  planned(result: PlannedResult, planFile: Buffer): Promise<AfterPlan> {
    return this.inner.planned(this.redactor.redactDeep(result), planFile);
  }

  finished(outcome: JobOutcome): Promise<void> {
    this.release();
    return this.inner.finished(this.redactor.redactDeep(outcome));
  }

  /** What was held back is not the start of a value after all (the output ended there). */
  private release(): void {
    if (!this.held) return;
    this.inner.appendLog(this.redactor.redact(this.held));
    this.held = '';
  }
}
