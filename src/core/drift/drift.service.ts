import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { DomainError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import { DriftCheck, type DriftCheckDeps } from './drift-check.js';
import type { DriftHistoryEntry, DriftRecord } from './drift-record.js';
import type { DriftRecorder } from './drift-recorder.js';
import type { DriftFilter, DriftRepository } from './drift.repository.js';
import { resolveDriftTargets, type DriftTargets, type TargetDeps } from './drift-targets.js';

export interface DriftCheckStarted {
  checkId: string;
  records: DriftRecord[];
  /** repositories of a several-repository check that could not be read (one bad repository does not stop the rest) */
  errors: { repository: string; message: string }[];
  /** settles when every record of the check is written; never rejects */
  done: Promise<void>;
}

interface Deps extends Omit<DriftCheckDeps, 'recorder'>, TargetDeps {
  sequelize: Sequelize;
  recorder: DriftRecorder;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
}

/**
 * Drift checks and their records: the one place every caller (Atlantis's /api/drift, v1, the
 * scheduler's drift monitor with a system actor, MCP, Slack) checks and reads drift through.
 */
export class DriftService {
  constructor(private readonly deps: Deps) {}

  /**
   * Checks the targets and waits for the results (the Atlantis API, the scheduler). A drift
   * monitor calls `check(systemActors.agent(name, tenantId), { kind: 'project' | 'environment' |
   * 'instance' | 'all', … })`; notifications go out by themselves, once; `auto_remediate` is then
   * `driftRemediations.remediateRecord(agent, record.id, 'apply')`, which plans and waits for a person.
   */
  async check(actor: Actor, targets: DriftTargets): Promise<{ checkId: string; records: DriftRecord[]; errors: DriftCheckStarted['errors'] }> {
    const started = await this.begin(actor, targets);
    await started.done;
    const ids = started.records.map((r) => r.id);
    const byId = new Map((await this.deps.repo.list(actor.tenantId, { ids })).map((r) => [r.id, r]));
    // in the order the command chose them (atlantis.yaml order), as Atlantis answers
    return { checkId: started.checkId, records: ids.flatMap((id) => byId.get(id) ?? []), errors: started.errors };
  }

  /** Queues a check and returns at once: the records say `checking` until `done`. */
  async begin(actor: Actor, targets: DriftTargets): Promise<DriftCheckStarted> {
    requirePermission(actor, 'run:plan');
    const groups = await resolveDriftTargets(this.deps, actor, targets);
    const check = new DriftCheck(this.deps, actor, randomUUID());
    const records: DriftRecord[] = [];
    const started: Parameters<DriftCheck['finish']>[0] = [];
    const errors: DriftCheckStarted['errors'] = [];
    for (const group of groups) {
      try {
        const out = await check.start(group);
        records.push(...out.records);
        started.push(...out.started);
      } catch (err) {
        if (groups.length === 1) throw err; // one repository: the caller's request was wrong, say so
        // A domain error says what to fix; anything else (git, the database) may name server internals.
        errors.push({ repository: group.repoFullName, message: err instanceof DomainError ? err.message : 'could not start the check of this repository; see the server log' });
        this.deps.log.warn({ err, repository: group.repoFullName, checkId: check.checkId }, 'drift check could not start for a repository');
      }
    }
    await this.deps.audit.record(actor, 'drift.check', { type: 'drift_check', id: check.checkId }, { targets: targets.kind, records: records.length, errors: errors.length });
    const done = check.finish(started).catch(async (err) => {
      this.deps.log.error({ err, checkId: check.checkId }, 'drift check failed');
      for (const s of started) await this.deps.recorder.errored(s.record, 'the drift check failed; see the server log').catch(() => {});
    });
    return { checkId: check.checkId, records, errors, done };
  }

  async list(actor: Actor, filter: DriftFilter = {}): Promise<DriftRecord[]> {
    requirePermission(actor, 'run:read');
    return (await this.deps.repo.list(actor.tenantId, filter)).map((r) => this.interrupted(r));
  }

  /**
   * A check whose replica stopped mid-way (restart, crash) leaves its record `checking`; once no
   * run of it can still be waited for, it reads as errored until the next check.
   */
  private interrupted(r: DriftRecord): DriftRecord {
    const quietFor = this.deps.clock.now().getTime() - new Date(r.updatedAt).getTime();
    if (r.status !== 'checking' || quietFor <= this.deps.waitMs + 60_000) return r;
    return { ...r, status: 'errored', reason: 'the check was interrupted before its runs finished (the server stopped?); check again' };
  }

  /** One record and its latest checks, newest first. */
  async get(actor: Actor, id: string, historyLimit = 20): Promise<{ record: DriftRecord; history: DriftHistoryEntry[] }> {
    requirePermission(actor, 'run:read');
    const [record] = isUuid(id) ? (await this.deps.repo.list(actor.tenantId, { ids: [id] })).map((r) => this.interrupted(r)) : [];
    if (!record) throw new NotFoundError(`drift record ${id} not found`, { code: 'drift_not_found' });
    return { record, history: await this.deps.repo.history(actor.tenantId, id, historyLimit) };
  }

  async history(actor: Actor, recordIds: string[], limit = 20): Promise<Map<string, DriftHistoryEntry[]>> {
    requirePermission(actor, 'run:read');
    const out = new Map<string, DriftHistoryEntry[]>();
    for (const id of recordIds) out.set(id, await this.deps.repo.history(actor.tenantId, id, limit));
    return out;
  }

  /**
   * A person marks an environment's drift resolved (they dealt with it, or accept it). The record
   * keeps what the last check found; the next check that finds different drift tells again.
   */
  async resolveEnvironment(actor: Actor, environmentId: string): Promise<DriftRecord[]> {
    requirePermission(actor, 'project:write');
    const env = await this.deps.environments.get(actor, environmentId);
    const records = (await this.deps.repo.list(actor.tenantId, {})).filter((r) => r.environmentId === env.id && r.hasDrift && !r.resolvedAt);
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.deps.repo.markResolved(actor.tenantId, records.map((r) => r.id), actor.name, this.deps.clock.now(), transaction);
      for (const r of records) await this.deps.recorder.resolvedByPerson(r, transaction);
      await this.deps.repo.setEnvironmentStatus(env.id, transaction);
      await this.deps.audit.record(actor, 'drift.resolve', { type: 'environment', id: env.id }, { records: records.map((r) => r.id) }, { transaction });
    });
    return this.deps.repo.list(actor.tenantId, { ids: records.map((r) => r.id) });
  }
}
