import type { Logger } from '../../logger.js';
import type { AgentExecutor } from './agent-executor.js';
import type { AgentRepository } from './agent.repository.js';
import { latestDueSlot } from './agent-schedule.js';

/** Executions kept per agent (the newest); older ones are deleted by the leader. */
export const KEEP_EXECUTIONS = 1000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The scheduler's one question to core, asked by the leading replica on each tick: which active
 * agents have a slot due, claim it, start it. A slot is the latest one in (anchor, now], so a
 * tick that was due while no replica led runs once, not once per missed minute; the claim is a
 * conditional update, so a slot runs once even if two replicas briefly both lead. An agent still
 * running its previous execution here is left for a later tick (its slots collapse likewise).
 */
export class AgentDispatcher {
  #prunedAt = 0;

  constructor(private readonly deps: { repo: AgentRepository; executor: AgentExecutor; log: Logger }) {}

  /**
   * Once an hour (by `now`), the leader trims the history: each agent keeps its newest
   * KEEP_EXECUTIONS executions, so a per-minute agent does not grow the table for ever.
   */
  async pruneHistory(now: Date): Promise<void> {
    if (now.getTime() - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now.getTime();
    const pruned = await this.deps.repo.prune(KEEP_EXECUTIONS);
    if (pruned) this.deps.log.info({ pruned }, 'old agent executions deleted');
  }

  /** This replica just became the leader: what the previous leader left running will never finish. */
  async takeOver(): Promise<void> {
    const abandoned = await this.deps.repo.abandonScheduled(this.deps.executor.replica);
    if (abandoned) this.deps.log.warn({ abandoned }, 'scheduled agent executions of the previous leader marked failed');
  }

  /** Starts every due agent's execution (in the background); returns how many it started. */
  async runDue(now: Date): Promise<number> {
    let started = 0;
    for (const agent of await this.deps.repo.listActive()) {
      if (this.deps.executor.isBusy(agent.id)) continue;
      try {
        const slot = latestDueSlot(agent.schedule, agent.timezone, agent.scheduleAnchor, now);
        if (!slot) continue;
        const execution = await this.deps.repo.claimSlot(agent, slot, this.deps.executor.replica);
        if (!execution) continue;
        this.deps.executor.start(agent, execution);
        started++;
      } catch (err) {
        this.deps.log.error({ err, agentId: agent.id }, 'could not start a due agent');
      }
    }
    return started;
  }
}
