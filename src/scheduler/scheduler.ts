import type { Clock } from '../core/clock.js';
import type { AgentDispatcher } from '../core/agents/agent-dispatcher.js';
import type { AgentExecutor } from '../core/agents/agent-executor.js';
import type { Logger } from '../logger.js';
import type { LeaderElection } from './leader-election.js';

/**
 * The cron loop of `atlantas server`: every tick interval, if this replica leads, ask core which
 * agents are due and start them. All rules (what is due, the claim, what an agent may do) are in
 * src/core/agents; this file is timing and leadership only. Ticks never overlap: a tick that is
 * still running when the next is due makes that one skip.
 */
export class Scheduler {
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;
  #leading = false;

  constructor(
    private readonly deps: { election: LeaderElection; dispatcher: AgentDispatcher; executor: AgentExecutor; clock: Clock; tickMs: number; log: Logger },
  ) {}

  start(): void {
    if (this.#timer) return;
    this.deps.log.info({ tickMs: this.deps.tickMs }, 'scheduler started');
    this.#timer = setInterval(() => void this.tick(), this.deps.tickMs);
    void this.tick();
  }

  /** One tick: leadership check, then due agents started. Resolves when they are started (not finished: see idle). */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => (this.#ticking = null));
    return this.#ticking;
  }

  /** Resolves when every agent execution started on this replica has finished. */
  idle(): Promise<void> {
    return this.deps.executor.idle();
  }

  /** Stops ticking, gives leadership up, and waits (up to `graceMs`) for running executions. */
  async stop(graceMs: number): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#ticking;
    await this.deps.election.stop();
    await this.deps.executor.drain(graceMs);
  }

  async #tick(): Promise<void> {
    try {
      const leading = await this.deps.election.isLeader();
      const gained = leading && !this.#leading;
      this.#leading = leading;
      if (!leading) return;
      if (gained) await this.deps.dispatcher.takeOver();
      const now = this.deps.clock.now();
      await this.deps.dispatcher.runDue(now);
      await this.deps.dispatcher.pruneHistory(now);
    } catch (err) {
      this.deps.log.error({ err }, 'scheduler tick failed');
    }
  }
}
