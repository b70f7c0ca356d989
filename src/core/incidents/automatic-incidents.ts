import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Actor } from '../actor.js';
import { systemActors } from '../auth/system-actors.js';
import type { ProjectRepository } from '../projects/project.repository.js';
import type { Run } from '../runs/run.model.js';
import type { RunStatus } from '../runs/run-status.js';
import type { LinkKind } from './incident.js';
import { applyFailedKey, driftKey, severityFor, targetName, type SeverityPolicy, type SignalTarget } from './incident-signals.js';
import type { IncidentsService } from './incidents.service.js';

/** What the drift monitor hands over of a finished check's record (core/drift's DriftRecord has it all). */
export interface CheckedDrift extends SignalTarget {
  id: string;
  status: string;
  hasDrift: boolean | null;
  summary: string | null;
  refreshRunId: string | null;
  planRunId: string | null;
}


/**
 * The incidents Atlantas raises itself: an apply that errored, and drift a drift_monitor found,
 * open an incident (or fold into the unresolved one with the same key) linked to the run and
 * project, with the severity of the project's criticality; a later successful apply, or a clean
 * check, resolves it with a timeline entry. A run's outcome is handled inside the transaction
 * that ends the run, in a savepoint: an incident that cannot be written (the quota, a bug) is
 * logged and never stops the run from finishing.
 */
export class AutomaticIncidents {
  constructor(private readonly deps: { sequelize: Sequelize; incidents: IncidentsService; projects: ProjectRepository; policy: SeverityPolicy; log: Logger }) {}

  /** The run engine's hook: called once per run that ends applied or errored, in the ending transaction. */
  async runFinished(run: Run, status: RunStatus, transaction: Transaction): Promise<void> {
    const applying = run.status === 'applying' || run.status === 'confirmed';
    if (!(status === 'applied' || (status === 'errored' && applying))) return;
    const actor = systemActors.incidents(run.tenantId);
    await this.guarded(actor, transaction, async (t) => {
      if (status === 'applied') {
        await this.deps.incidents.resolveByDedupKey(actor, applyFailedKey(run), { kind: 'resolved_automatically', message: `run ${run.id} applied successfully`, link: { kind: 'run', id: run.id } }, { transaction: t });
        return;
      }
      const project = run.projectId ? await this.deps.projects.findByRef(run.tenantId, run.projectId, t) : null;
      // terraform's error text is PR code's output (it can carry secrets): it stays sealed on the run; the incident points at it
      const error = `the apply of run ${run.id} errored; its error and output are on the run (GET /api/v1/runs/${run.id})`;
      await this.deps.incidents.open(actor, {
        dedupKey: applyFailedKey(run), title: `Apply failed: ${targetName(run, project?.name)}`, severity: severityFor(this.deps.policy, project?.criticality),
        source: 'apply_failed', description: error, links: links([['run', run.id], ['project', run.projectId]]),
        message: `run ${run.id} errored while applying`,
      }, { transaction: t });
    });
  }

  /** After a drift_monitor's check: drifted records open (or fold into) an incident, clean ones resolve theirs. */
  async driftChecked(actor: Actor, records: CheckedDrift[]): Promise<void> {
    for (const r of records) {
      if (r.status !== 'checked' || r.hasDrift === null) continue; // skipped or errored: nothing is known
      await this.guarded(actor, undefined, async (t) => {
        if (!r.hasDrift) {
          await this.deps.incidents.resolveByDedupKey(actor, driftKey(r), { kind: 'resolved_automatically', message: 'drift gone: the latest check found reality, state and code agreeing', link: { kind: 'drift', id: r.id } }, { transaction: t });
          return;
        }
        const project = r.projectId ? await this.deps.projects.findByRef(actor.tenantId, r.projectId, t) : null;
        await this.deps.incidents.open(actor, {
          dedupKey: driftKey(r), title: `Drift detected: ${targetName(r, project?.name)}`, severity: severityFor(this.deps.policy, project?.criticality),
          source: 'drift', description: r.summary ?? 'drifted', message: `drift check found: ${r.summary ?? 'drifted'}`,
          links: links([['drift', r.id], ['project', r.projectId], ['run', r.refreshRunId], ['run', r.planRunId]]),
        }, { transaction: t });
      });
    }
  }

  private async guarded(actor: Actor, outer: Transaction | undefined, fn: (t: Transaction) => Promise<void>): Promise<void> {
    try {
      // Inside the run's transaction: a savepoint, so a failure here rolls back only the incident.
      await this.deps.sequelize.transaction(outer ? { transaction: outer } : {}, fn);
    } catch (err) {
      this.deps.log.warn({ err, tenantId: actor.tenantId }, 'could not raise or resolve an automatic incident');
    }
  }
}

function links(pairs: [LinkKind, string | null][]): { kind: LinkKind; id: string }[] {
  return pairs.filter((p): p is [LinkKind, string] => !!p[1]).map(([kind, id]) => ({ kind, id }));
}
