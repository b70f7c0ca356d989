import type { Sequelize, Transaction } from 'sequelize';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import type { Notifier } from '../notifications/notification.js';
import type { DriftAssessment } from './drift-assessment.js';
import type { DriftRecord } from './drift-record.js';
import type { DriftRepository, DriftResult } from './drift.repository.js';

/**
 * Writes what a check came to into its record and history, and tells people when drift appears
 * or goes away. Told once: a record remembers the fingerprint it announced, and each event has a
 * dedupe key (episode + fingerprint), so the same drift on the next tick, on another replica or
 * after a retry is not told again; drift that comes back after a clean check is a new episode.
 * Only the check that owns the record writes it: a newer check of the same target wins.
 */
export class DriftRecorder {
  constructor(private readonly deps: { sequelize: Sequelize; repo: DriftRepository; notifier: Notifier; clock: Clock }) {}

  skipped(record: DriftRecord, reason: string): Promise<void> {
    return this.write(record, () => ({ status: 'skipped', reason: `skipped: ${reason}`, commitSha: null }));
  }

  errored(record: DriftRecord, reason: string, commitSha: string | null = null): Promise<void> {
    return this.write(record, () => ({ status: 'errored', reason, commitSha }));
  }

  assessed(record: DriftRecord, a: DriftAssessment): Promise<void> {
    if (a.status === 'errored') return this.errored(record, a.reason, a.commitSha);
    return this.write(record, async (current, transaction) => {
      const hadDrift = current.hasDrift === true;
      const episode = a.hasDrift && !hadDrift ? current.episode + 1 : current.episode;
      let notified = current.notifiedFingerprint;
      if (a.hasDrift && (!hadDrift || notified !== a.fingerprint)) {
        await this.tell(current, 'drift.detected', `drift:${current.id}:${episode}:${a.fingerprint}`, transaction);
        notified = a.fingerprint;
      } else if (!a.hasDrift && hadDrift) {
        await this.tell(current, 'drift.resolved', `drift-resolved:${current.id}:${episode}`, transaction);
        notified = null;
      }
      return {
        status: 'checked', reason: null, commitSha: a.commitSha, hasDrift: a.hasDrift, counts: a.counts, summary: a.summary,
        changesOutside: a.changesOutside, pendingCodeChanges: a.pendingCodeChanges, details: a.details, fingerprint: a.fingerprint,
        episode, notifiedFingerprint: notified,
      };
    });
  }

  /** A person marked the drift resolved: the thread says so, once per episode (a later clean check says nothing more). */
  async resolvedByPerson(record: DriftRecord, transaction: Transaction): Promise<void> {
    if (record.hasDrift) await this.tell(record, 'drift.resolved', `drift-resolved:${record.id}:${record.episode}`, transaction);
  }

  private async write(record: DriftRecord, result: (current: DriftRecord, t: Transaction) => DriftResult | Promise<DriftResult>): Promise<void> {
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const current = await this.deps.repo.getForUpdate(record.id, transaction);
      if (!current || current.checkId !== record.checkId) return; // a newer check owns the record now
      const r = await result(current, transaction);
      await this.deps.repo.finish(current, r, this.deps.clock.now(), transaction);
      if (current.environmentId) await this.deps.repo.setEnvironmentStatus(current.environmentId, transaction);
    });
  }

  private async tell(record: DriftRecord, kind: 'drift.detected' | 'drift.resolved', dedupeKey: string, transaction: Transaction): Promise<void> {
    // An unregistered root module (no project id) is told too: the repository path names it, routing uses the tenant's channel.
    await this.deps.notifier.publish(
      {
        kind, tenantId: record.tenantId, projectId: record.projectId, repoFullName: record.repoFullName, dir: record.dir, workspace: record.workspace,
        driftId: record.id, runId: record.planRunId ?? undefined,
      },
      { transaction, dedupeKey },
    );
  }
}
