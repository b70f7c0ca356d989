import type { RunEvents } from './run-events.js';

/** The two statuses in which a run's terraform talks to the state backend. */
export type TerraformStatus = 'planning' | 'applying';

export interface RunExecutingHere {
  tenantId: string;
  status: TerraformStatus;
}

/**
 * The runs this replica's worker executes right now, in the status their terraform runs in. A
 * run credential is good only while its run is in its phase's status; for a run executing here
 * that status is known without a query, because only this worker moves such a run on (a cancel
 * asks the worker; supersede touches only pending and planned runs). The worker leaves the
 * entry BEFORE it changes the run's status, so it never says more than the database would. A
 * status event of the run (from this or another replica: recovery of a replica thought dead)
 * naming another status removes it too. What is not here is read from the database as before.
 */
export class RunsExecutingHere {
  private readonly runs = new Map<string, RunExecutingHere & { off: () => void }>();

  constructor(private readonly events: RunEvents) {}

  enter(run: { id: string; tenantId: string }, status: TerraformStatus): void {
    this.leave(run.id);
    const off = this.events.onRun(run.id, (e) => {
      if (e.type === 'status' && e.status !== status) this.leave(run.id);
    });
    this.runs.set(run.id, { tenantId: run.tenantId, status, off });
  }

  leave(runId: string): void {
    const entry = this.runs.get(runId);
    if (!entry) return;
    entry.off();
    this.runs.delete(runId);
  }

  get(runId: string): RunExecutingHere | undefined {
    const entry = this.runs.get(runId);
    return entry && { tenantId: entry.tenantId, status: entry.status };
  }
}
