import { translateConstraints } from '../db/unique.js';
import { hashToken } from '../auth/api-token.js';
import { AuthenticationError, ConflictError, InputError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { AfterPlan, Job } from '../runs/job.js';
import type { ListenerCa, IssuedCertificate } from './listener-ca.js';
import type { ListenerRunReportInput } from './runner.schemas.js';
import { generateRunnerToken } from './runner-token.js';
import type { Runner, RunnerRepository } from './runner.repository.js';
import { workerIdOf, type RunnerIdentity, type RunnersService } from './runners.service.js';

export interface JoinedListener {
  listener: Runner;
  /** the listener's own credential (a runner token bound to this listener), shown this once */
  credential: string;
  certificate: IssuedCertificate;
  heartbeatMs: number;
}

/**
 * TFE agent listeners (issue 15 part 6). A listener IS a runner of its pool: it joins with one of
 * the pool's join tokens and gets its own credential, which authenticates exactly like a runner
 * token with `X-Atlantas-Runner` = the listener id; it claims through the runners' queue, its
 * heartbeat keeps its runs alive (ATLANTAS_RUNNER_TIMEOUT errors them otherwise), and it executes
 * a job through the runner job endpoints. Every rule about runs stays in RunnersService.
 */
export class ListenersService {
  constructor(private readonly deps: { runners: RunnersService; repo: RunnerRepository; ca: ListenerCa; heartbeatMs: number }) {}

  /** Joins (or, under a name already joined in the pool, re-joins: new credential and certificate). */
  async join(joinToken: string, input: { name: string; version?: string }, poolId?: string): Promise<JoinedListener> {
    const { token } = await this.deps.runners.authenticate(joinToken);
    if (poolId !== undefined && poolId !== token.poolId) throw new AuthenticationError('this join token belongs to another agent pool', { code: 'invalid_token' });
    const credential = generateRunnerToken();
    let listener = await this.deps.repo.findListener(token.poolId, input.name);
    if (listener) await this.deps.repo.rehashToken(listener.tokenId, hashToken(credential));
    else {
      const own = await this.deps.repo.createToken(token.poolId, `listener:${input.name}`, hashToken(credential), 'listener');
      listener = await translateConstraints(`listener "${input.name}"`, () => this.deps.repo.register(own, input.name, input.version ?? 'tfe-listener', true),
        () => new ConflictError(`listener "${input.name}" joined at the same moment; join again`, { code: 'listener_join_race' }));
    }
    return { listener, credential, certificate: await this.deps.ca.issue(listener), heartbeatMs: this.deps.heartbeatMs };
  }

  /** The listener credential → that listener (and only one that joined through the TFE API). */
  async authenticate(credential: string, listenerId: string): Promise<RunnerIdentity> {
    if (!isUuid(listenerId)) throw new NotFoundError(`listener ${listenerId} not found`);
    const { token, runner } = await this.deps.runners.authenticate(credential, listenerId);
    if (!runner!.listener) throw new AuthenticationError('unknown listener: join first', { code: 'invalid_runner' });
    return { token, runner: runner! };
  }

  async heartbeat(id: RunnerIdentity, runs?: string[]): Promise<{ cancel: string[]; heartbeatMs: number }> {
    return this.deps.runners.heartbeat(id, runs ?? (await this.deps.repo.heldRunIds(workerIdOf(id.runner))));
  }

  renew(id: RunnerIdentity): Promise<IssuedCertificate> {
    return this.deps.ca.issue(id.runner);
  }

  next(id: RunnerIdentity, waitMs: number, gone?: AbortSignal): Promise<Job | null> {
    return this.deps.runners.claim(id, waitMs, gone);
  }

  /**
   * A status report on a run the listener holds, through the runner job rules: `planning` /
   * `applying` confirm it is at that step (and keep it alive), `planned` reports the plan (its
   * file uploaded first) and answers whether to apply, the rest end the job.
   */
  async report(id: RunnerIdentity, runId: string, input: ListenerRunReportInput): Promise<{ status: string; afterPlan?: AfterPlan }> {
    const a = input.data.attributes;
    switch (a.status) {
      case 'planning':
      case 'applying': {
        if (!(await this.deps.repo.heldRunIds(workerIdOf(id.runner))).includes(runId)) throw new NotFoundError(`run ${runId} not found`);
        await this.deps.runners.heartbeat(id, [runId]);
        return { status: a.status };
      }
      case 'planned': {
        if (!a.result) throw new InputError('data.attributes.result: is required with status "planned" (what the plan came to)', { code: 'validation_error' });
        return { status: 'planned', afterPlan: await this.deps.runners.planned(id, runId, a.result) };
      }
      default:
        await this.deps.runners.finished(id, runId, { status: a.status, error: a.error, statusReason: a['status-reason'] });
        return { status: a.status };
    }
  }
}
