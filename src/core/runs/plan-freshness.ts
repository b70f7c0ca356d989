import type { Run } from './run.model.js';
import { isArchiveRun } from './run-status.js';

/** The commit a run's ref (or pull request) points at now. */
export interface RefResolver {
  headOf(run: Run): Promise<string>;
}

/** The current serial/lineage of an Atlantas-held state. */
export interface StateSerials {
  current(tenantId: string, stateName: string, workspace: string): Promise<{ serial: number; lineage: string } | null>;
}

/**
 * A saved plan may only be applied to the world it was made for: the same commit at the head of
 * its ref, and the same state serial. Returns why it is stale, or null.
 */
export class PlanFreshness {
  constructor(private readonly deps: { refs: RefResolver; states: StateSerials }) {}

  async check(run: Run): Promise<string | null> {
    // An archive's SHA-256 names its content: only a git ref can move on from a commit.
    if (run.commitSha && !isArchiveRun(run)) {
      let head: string;
      try {
        head = await this.deps.refs.headOf(run);
      } catch (err) {
        return `cannot verify that ${run.ref || 'the pull request'} is still at commit ${short(run.commitSha)}: ${(err as Error).message}`;
      }
      if (head !== run.commitSha) {
        return `the plan was made for commit ${short(run.commitSha)}, but ${describeRef(run)} is now at ${short(head)}: the plan was superseded`;
      }
    }
    if (run.stateName && run.stateSerialAtPlan !== null) {
      const now = await this.deps.states.current(run.tenantId, run.stateName, run.workspace);
      // 0 stands for "no state yet" (terraform's first write is serial 1 or more).
      const serial = now?.serial ?? 0;
      if (serial !== run.stateSerialAtPlan || (now && run.stateLineageAtPlan && now.lineage !== run.stateLineageAtPlan)) {
        return `the state changed since the plan (serial ${run.stateSerialAtPlan} → ${serial})`;
      }
    }
    return null;
  }
}

const short = (sha: string) => sha.slice(0, 8);
const describeRef = (run: Run) => (run.prNumber ? `pull request #${run.prNumber}` : `${run.ref}`);
