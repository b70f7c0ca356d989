import type { Logger } from '../../logger.js';
import type { Actor } from '../actor.js';
import { systemActors } from '../auth/system-actors.js';
import type { Clock } from '../clock.js';
import { DomainError } from '../errors.js';
import type { NotificationEvent, Notifier } from '../notifications/notification.js';
import type { Agent, AgentType } from './agent.model.js';
import type { AgentExecution, AgentRepository, ExecutionOutcome, Finding } from './agent.repository.js';

/** What an agent type's code gets for one execution. It acts only as `actor`, through core services. */
export interface AgentContext {
  agent: Agent;
  execution: AgentExecution;
  /** `agent:<name>`: automation, role member; may plan, never approves or applies unapproved */
  actor: Actor;
  now: Date;
  log: Logger;
  /** the finding keys still present from the previous execution: what this agent already acted on and told */
  known: ReadonlySet<string>;
}

/** A finding that, the first time it is seen (or after it went away and came back), tells people through the Notifier. */
export interface NotifiableFinding extends Finding {
  event?: NotificationEvent;
  /** the outbox's dedupe key; default `agent:<agent id>:<key>`. A shared key (e.g. `lock-warn:<lock id>`) makes one message whoever notices first */
  dedupeKey?: string;
}

export interface AgentResult extends Omit<ExecutionOutcome, 'findings'> {
  findings?: NotifiableFinding[];
}

/** One agent type: drift_monitor, state_watcher, … Implementations live next to this file. */
export interface AgentBehaviour {
  run(ctx: AgentContext): Promise<AgentResult>;
}

/**
 * Runs executions on this replica: one at a time per agent, each recorded with its outcome. A
 * finding is notified once (agent_findings remembers it, and the Notifier's dedupe key says the
 * same to the outbox); an error ends the execution `failed` with a message, never a stack trace.
 */
export class AgentExecutor {
  readonly #inflight = new Set<Promise<void>>();
  readonly #busy = new Set<string>();

  constructor(
    private readonly deps: {
      repo: AgentRepository; behaviours: Record<AgentType, AgentBehaviour>; notifier: Notifier; clock: Clock; log: Logger;
      /** host/pid of this process, recorded on each execution */
      replica: string;
    },
  ) {}

  get replica(): string {
    return this.deps.replica;
  }

  isBusy(agentId: string): boolean {
    return this.#busy.has(agentId);
  }

  /** Starts the execution in the background; `idle()` waits for it. */
  start(agent: Agent, execution: AgentExecution): void {
    this.#busy.add(agent.id);
    const done = this.#execute(agent, execution).finally(() => {
      this.#busy.delete(agent.id);
      this.#inflight.delete(done);
    });
    this.#inflight.add(done);
  }

  /** Resolves when every execution started so far has finished. */
  async idle(): Promise<void> {
    while (this.#inflight.size) await Promise.all([...this.#inflight]);
  }

  /**
   * Shutdown: waits up to `graceMs` for running executions, then records those still running as
   * failed (the process is going away; their work, e.g. queued runs, goes on without them).
   */
  async drain(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    const result = await Promise.race([this.idle().then(() => 'idle' as const), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      const n = await this.deps.repo.abandonOwn(this.deps.replica, 'interrupted: the server stopped before the execution finished');
      this.deps.log.warn({ executions: n }, 'agent executions still running at shutdown were marked failed');
    }
  }

  async #execute(agent: Agent, execution: AgentExecution): Promise<void> {
    const log = this.deps.log.child({ agent: agent.name, agentId: agent.id, executionId: execution.id });
    const actor = systemActors.agent(`agent:${agent.name}`, agent.tenantId);
    let outcome: ExecutionOutcome;
    try {
      const known = await this.deps.repo.findingKeys(agent.id);
      const result = await this.deps.behaviours[agent.agentType].run({ agent, execution, actor, now: this.deps.clock.now(), log, known });
      outcome = { ...result, findings: await this.#notify(agent, result.findings ?? []) };
    } catch (err) {
      if (!(err instanceof DomainError)) log.error({ err }, 'agent execution failed');
      outcome = { status: 'failed', summary: 'failed', error: err instanceof DomainError ? err.message : 'internal error; the server log has the details' };
    }
    try {
      await this.deps.repo.finish(execution.id, outcome);
      log.info({ status: outcome.status, summary: outcome.summary }, 'agent execution finished');
    } catch (err) {
      log.error({ err }, 'could not record the agent execution');
    }
  }

  /** Publishes the findings that are new for this agent; returns them all, marked. */
  async #notify(agent: Agent, findings: NotifiableFinding[]): Promise<Finding[]> {
    const fresh = await this.deps.repo.reconcileFindings(agent.id, findings.map((f) => f.key));
    const out: Finding[] = [];
    for (const { event, dedupeKey, ...finding } of findings) {
      const notified = fresh.has(finding.key) && !!event;
      if (notified) await this.deps.notifier.publish(event!, { dedupeKey: dedupeKey ?? `agent:${agent.id}:${finding.key}` });
      out.push({ ...finding, notified });
    }
    return out;
  }
}
