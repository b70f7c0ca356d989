import type { Clock } from '../core/clock.js';
import type { Database } from '../core/db/connection.js';
import type { CoreInternals } from '../core/index.js';
import type { Logger } from '../logger.js';
import { AdvisoryLockElection, SoleReplica, type LeaderElection } from './leader-election.js';
import { Scheduler } from './scheduler.js';

/** The scheduler for this database: an advisory-lock election on PostgreSQL, the sole replica on embedded PGlite. */
export function createScheduler(deps: { db: Database; internals: CoreInternals; clock: Clock; tickMs: number; log: Logger }): Scheduler {
  const log = deps.log.child({ svc: 'scheduler' });
  const election: LeaderElection = deps.db.mode === 'external'
    ? new AdvisoryLockElection({ clientConfig: deps.db.clientConfig, schema: deps.db.schema, log })
    : new SoleReplica();
  return new Scheduler({ election, dispatcher: deps.internals.agentDispatcher, executor: deps.internals.agentExecutor, clock: deps.clock, tickMs: deps.tickMs, log });
}
