import type { RunEvents } from './run-events.js';
import type { LogChunk, RunLogs } from './run-logs.js';
import type { RunRepository } from './run.repository.js';
import { isSettled, type RunStatus } from './run-status.js';

export type FollowEvent = { type: 'log'; chunk: LogChunk } | { type: 'status'; status: RunStatus } | { type: 'end'; status: RunStatus };

/**
 * Follows a run's output live: what is stored first, then new chunks as they are written — pushed
 * in-process, polled from the database for runs executing on another replica — until the run
 * settles. Resumable from a sequence number (SSE Last-Event-ID).
 */
export async function* followRun(
  deps: { repo: RunRepository; logs: RunLogs; events: RunEvents },
  tenantId: string,
  runId: string,
  afterSeq: number,
  signal: AbortSignal,
  pollMs = 1000,
): AsyncGenerator<FollowEvent> {
  let seq = afterSeq;
  let lastStatus: RunStatus | undefined;
  while (!signal.aborted) {
    const run = await deps.repo.get(tenantId, runId);
    if (!run) return;
    if (run.status !== lastStatus) {
      lastStatus = run.status;
      yield { type: 'status', status: run.status };
    }
    for (const chunk of await deps.logs.read(runId, seq)) {
      seq = chunk.seq;
      yield { type: 'log', chunk };
    }
    if (isSettled(run.status)) {
      yield { type: 'end', status: run.status };
      return;
    }
    await deps.events.next([runId], { timeoutMs: pollMs, signal });
  }
}
