import { AfterPlan, Job, type JobOutcome, type PlannedResult } from '../core/runs/job.js';
import { HttpJobSink } from './http-job-sink.js';
import { RunnerClient } from './runner-client.js';

/** What `POST /api/v2/agent-pools/join` answers. */
export interface ListenerJoin {
  listener_id: string;
  pool_id: string;
  credential: string;
  heartbeat_ms: number;
  certificate: string;
  private_key: string;
  ca_certificate: string;
}

/**
 * A TFE agent listener's side of the protocol: join with a pool's join token, then heartbeat,
 * poll `runs/next` and report status under `/api/v2/listeners/{id}`; the job's output, checkout
 * and plan file go through the runner job endpoints with the same credential (runner()).
 */
export class ListenerClient {
  /** the listener endpoints, with the credential issued at join */
  private readonly api: RunnerClient;

  private constructor(private readonly baseUrl: string, readonly joined: ListenerJoin) {
    this.api = new RunnerClient(baseUrl, joined.credential, { prefix: `/api/v2/listeners/${joined.listener_id}` });
  }

  static async join(serverUrl: string, joinToken: string, name: string): Promise<ListenerClient> {
    const base = serverUrl.replace(/\/+$/, '');
    const res = await fetch(`${base}/api/v2/agent-pools/join`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ join_token: joinToken, name }),
    });
    if (res.status !== 201) throw new Error(`join: ${res.status} ${(await res.text()).slice(0, 500)}`);
    return new ListenerClient(base, (await res.json()) as ListenerJoin);
  }

  get id(): string {
    return this.joined.listener_id;
  }

  /** The runner protocol client for this listener's jobs. */
  runner(): RunnerClient {
    return new RunnerClient(this.baseUrl, this.joined.credential, { runnerId: this.id });
  }

  async heartbeat(runs?: string[]): Promise<{ cancel: string[]; heartbeat_ms: number }> {
    return (await this.send('POST', '/heartbeat', runs ? { runs } : {})) as { cancel: string[]; heartbeat_ms: number };
  }

  /** The next job of the pool, or null when none came within `waitS` seconds. */
  async next(waitS = 25, signal?: AbortSignal): Promise<Job | null> {
    const doc = (await this.send('GET', `/runs/next?wait=${waitS}`, undefined, signal)) as { data: { attributes: { job: unknown } } } | null;
    return doc ? Job.parse(doc.data.attributes.job) : null;
  }

  async report(runId: string, attributes: Record<string, unknown>): Promise<Record<string, unknown>> {
    const doc = (await this.send('PATCH', `/runs/${runId}`, { data: { type: 'runs', attributes } })) as { data: { attributes: Record<string, unknown> } };
    return doc.data.attributes;
  }

  /** A job sink that reports the plan and the end of the job through PATCH …/runs/{id}. */
  sink(runId: string): HttpJobSink {
    return new ListenerJobSink(this, runId);
  }

  private send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.api.send(method, path, body, signal);
  }
}

class ListenerJobSink extends HttpJobSink {
  constructor(private readonly listener: ListenerClient, runId: string) {
    super(listener.runner(), runId);
  }

  override async planned(result: PlannedResult, planFile: Buffer): Promise<AfterPlan> {
    await this.flush();
    await this.client.upload(`/jobs/${this.runId}/plan`, planFile);
    const a = await this.listener.report(this.runId, { status: 'planned', result });
    return AfterPlan.parse({ apply: a.apply, ...(a['state-password'] ? { statePassword: a['state-password'] } : {}) });
  }

  override async finished(outcome: JobOutcome): Promise<void> {
    await this.flush();
    await this.listener.report(this.runId, { status: outcome.status, error: outcome.error, 'status-reason': outcome.statusReason });
  }
}
