import { AfterPlan, type CheckedOut, type JobOutcome, type JobSink, type PlanDetails, type PlannedResult } from '../core/runs/job.js';
import type { RunnerClient } from './runner-client.js';

/** A job's sink on a remote runner: output and results go to the server, in order. */
export class HttpJobSink implements JobSink {
  private buffer = '';
  private phase: 'init' | 'plan' | 'apply' = 'plan';
  private sending: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(protected readonly client: RunnerClient, protected readonly runId: string) {}

  appendLog(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length >= 64 * 1024) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 200);
  }

  setPhase(phase: 'init' | 'plan' | 'apply'): void {
    if (phase !== this.phase && this.buffer) void this.flush();
    this.phase = phase;
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const chunk = this.buffer;
    const phase = this.phase;
    this.buffer = '';
    if (chunk) this.sending = this.sending.then(() => this.client.send('POST', `/jobs/${this.runId}/logs`, { phase, chunk }).then(() => undefined));
    return this.sending;
  }

  async checkedOut(info: CheckedOut): Promise<void> {
    await this.client.send('POST', `/jobs/${this.runId}/checkout`, info);
  }

  async planned(result: PlannedResult, planFile: Buffer): Promise<AfterPlan> {
    await this.flush();
    await this.client.upload(`/jobs/${this.runId}/plan`, planFile);
    return AfterPlan.parse(await this.client.send('POST', `/jobs/${this.runId}/planned`, result));
  }

  async planDetails(details: PlanDetails): Promise<void> {
    await this.client.send('POST', `/jobs/${this.runId}/details`, details);
  }

  async finished(outcome: JobOutcome): Promise<void> {
    await this.flush();
    await this.client.send('POST', `/jobs/${this.runId}/result`, outcome);
  }
}
