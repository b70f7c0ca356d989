import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../../logger.js';
import { requirePermission, scopeCoversState, type Actor } from '../actor.js';
import { systemActors } from '../auth/system-actors.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { InputError, LockedError, NotFoundError } from '../errors.js';
import type { ProjectsService } from '../projects/projects.service.js';
import { noopMetrics, type Metrics } from '../ports/metrics.js';
import type { Encryptor } from '../secrets/encryption.js';
import { assertMayForceUnlock } from './force-unlock.js';
import type { LockInfo } from './lock-info.js';
import { identify, md5Hex, parseStateDocument, stateOutputs, type HashedBody, type StateDocument, type StateIdentity, type StateOutput } from './state-document.js';
import { parseStateRef, type StateRef } from './state-ref.js';
import { decidePush } from './state-rules.js';
import type { StateRepository, StateWithProject } from './state.repository.js';
import type { StateRow } from './state.model.js';
import { stateVersionAad, type StateVersion, type StateVersionRow } from './state-version.model.js';

export type StateSummary = StateWithProject & { isLocked: boolean };

/** The current state of a (name, workspace), as the runs engine needs it; serial etc. are null before the first write. */
export interface CurrentState {
  id: string;
  serial: number | null;
  lineage: string | null;
  md5: string | null;
  isLocked: boolean;
  lock: LockInfo | null;
}

export interface PushOptions {
  /** the lock ID the writer holds (terraform's `?ID=`) */
  lockId?: string;
  /** hex MD5 the client computed (from Content-MD5); a mismatch refuses the write */
  md5?: string | null;
  /** accept a different lineage or an older serial (state:admin) */
  force?: boolean;
}

export interface PushResult {
  version: StateVersion;
  /** false when the same serial and bytes were already stored (a retried POST) */
  written: boolean;
}

/** A version that was just committed, for what keeps itself current from state (the CMDB). */
export interface StateWritten {
  tenantId: string;
  stateId: string;
  projectId: string | null;
  name: string;
  workspace: string;
  version: number;
  body: Buffer;
}

interface Deps {
  sequelize: Sequelize;
  repo: StateRepository;
  projects: ProjectsService;
  encryptor: Encryptor;
  audit: AuditLog;
  log: Logger;
  metrics?: Metrics;
}

/**
 * Terraform state: encrypted immutable versions, the current pointer, and the state lock of the
 * HTTP backend. States are named (name, workspace) in the caller's tenant; a state whose name is a
 * registered project's name is linked to it.
 */
export class StateService {
  private readonly metrics: Metrics;
  private readonly writeListeners: ((written: StateWritten) => void)[] = [];

  constructor(private readonly deps: Deps) {
    this.metrics = deps.metrics ?? noopMetrics;
  }

  /**
   * Calls `listener` after each committed new version (not for a retried identical one). It runs
   * after the writer's transaction; what it throws is logged, never the writer's failure.
   */
  afterWrite(listener: (written: StateWritten) => void): void {
    this.writeListeners.push(listener);
  }

  async current(actor: Actor, name: string, workspace: string): Promise<CurrentState | null> {
    requirePermission(actor, 'state:read');
    const row = await this.deps.repo.findByRef(actor.tenantId, refFor(actor, name, workspace));
    if (!row) return null;
    return { id: row.id, serial: row.serial, lineage: row.lineage, md5: row.md5, isLocked: !!row.lockId, lock: row.lockInfo };
  }

  /** The current state's bytes exactly as terraform wrote them, or null when there is none yet. */
  async readCurrent(actor: Actor, name: string, workspace: string): Promise<Buffer | null> {
    return (await this.download(actor, name, workspace))?.bytes ?? null;
  }

  /** The current state's bytes and their stored MD5 (the backend's Content-MD5, without hashing again). */
  async download(actor: Actor, name: string, workspace: string): Promise<HashedBody | null> {
    requirePermission(actor, 'state:read');
    // One query (terraform GETs the state at every plan); a pointer to a missing version cannot
    // exist: the foreign key holds it.
    const version = await this.deps.repo.currentVersionWithData(actor.tenantId, refFor(actor, name, workspace));
    return version ? { bytes: this.open(version), md5: version.md5 } : null;
  }

  async readCurrentDocument(actor: Actor, name: string, workspace: string): Promise<StateDocument | null> {
    const body = await this.readCurrent(actor, name, workspace);
    return body ? parseStateDocument(body) : null;
  }

  /** Root outputs of the current version (sensitive ones marked), for output_mapping between projects. */
  async outputs(actor: Actor, name: string, workspace: string): Promise<StateOutput[]> {
    const doc = await this.readCurrentDocument(actor, name, workspace);
    if (!doc) throw new NotFoundError(`state ${name}/${workspace} has no version yet; apply it first`, { code: 'state_not_found' });
    return stateOutputs(doc);
  }

  /**
   * Stores a new version (or confirms a retried one). Refusals: see state-rules.ts; a lock held by
   * another ID → LockedError. A HashedBody (the backend's, hashed as it streamed in) is not hashed again.
   */
  async push(actor: Actor, name: string, workspace: string, input: Buffer | HashedBody, options: PushOptions = {}): Promise<PushResult> {
    requirePermission(actor, 'state:write');
    if (options.force) requirePermission(actor, 'state:admin');
    const ref = refFor(actor, name, workspace);
    const body = Buffer.isBuffer(input) ? input : input.bytes;
    const incoming = identify(body, Buffer.isBuffer(input) ? md5Hex(input) : input.md5);
    if (options.md5 && options.md5 !== incoming.md5) {
      throw new InputError(`Content-MD5 does not match the body (body MD5 ${incoming.md5}); the state was not stored`, { code: 'content_md5_mismatch' });
    }
    const result = await this.countingConflicts('write', inTransaction(this.deps.sequelize, undefined, async (t) => {
      const { row, created } = await this.lockedRow(actor, ref, t);
      assertMayWrite(row, ref, options.lockId);
      const current: StateIdentity | null = row.currentVersionId ? { serial: row.serial!, lineage: row.lineage!, md5: row.md5! } : null;
      const decision = decidePush(current, incoming, !!options.force);
      if (decision.kind === 'unchanged') return { version: (await this.deps.repo.versionMeta(row.currentVersionId!, t))!, written: false, row };
      const version = await this.writeVersion(actor, row, body, incoming, decision.forced, t);
      if (decision.forced) this.deps.log.warn({ stateId: row.id, version: version.version, actor: actor.name }, 'state replaced by a forced write');
      await this.deps.audit.record(
        actor, 'state.push', { type: 'state', id: row.id },
        { name: ref.name, workspace: ref.workspace, version: version.version, serial: incoming.serial, lineage: incoming.lineage, size: body.length, forced: decision.forced, created, ...(decision.forced && current ? { replaced_serial: current.serial, replaced_lineage: current.lineage } : {}) },
        { transaction: t },
      );
      return { version, written: true, row };
    }));
    this.metrics.stateWrite(result.written ? 'written' : 'unchanged');
    if (result.written) this.announceWrite({ tenantId: result.row.tenantId, stateId: result.row.id, projectId: result.row.projectId, name: ref.name, workspace: ref.workspace, version: result.version.version, body });
    return { version: result.version, written: result.written };
  }

  /**
   * Takes the state lock; held by another ID → LockedError carrying the holder's LockInfo.
   * One statement (state-row creation included); people's and tokens' locks are audited in the
   * same transaction, a run's own are not (see `auditsLocks`).
   */
  async lock(actor: Actor, name: string, workspace: string, info: LockInfo): Promise<void> {
    requirePermission(actor, 'state:lock');
    const ref = refFor(actor, name, workspace);
    await this.countingConflicts('lock', this.lockWork(actor, async (t) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const taken = await this.deps.repo.takeLock(actor.tenantId, ref, { info, by: actor.name }, t);
        if (taken) {
          if (auditsLocks(actor)) {
            await this.deps.audit.record(
              actor, 'state.lock', { type: 'state', id: taken.id },
              { name: ref.name, workspace: ref.workspace, lock_id: info.ID, operation: info.Operation ?? null, who: info.Who ?? null, created: taken.created },
              { transaction: t },
            );
          }
          return;
        }
        const row = await this.deps.repo.findByRef(actor.tenantId, ref, t);
        if (row?.lockId === info.ID) return; // terraform never re-locks with its own ID; a retry is success
        if (row?.lockId) throw lockedBy(row, ref);
        // released between the two statements: try again
      }
      throw new LockedError(`state ${ref.name}/${ref.workspace} is being locked and unlocked by others; retry`, null, { code: 'state_locked' });
    }));
  }

  /**
   * Releases the lock held by `lockId`; `null` is terraform's force-unlock (empty body), under the
   * force-unlock rule (force-unlock.ts) and audited as such. A free or unknown state is already unlocked: success.
   */
  async unlock(actor: Actor, name: string, workspace: string, lockId: string | null): Promise<void> {
    requirePermission(actor, 'state:lock');
    if (lockId === null) assertMayForceUnlock(actor);
    const ref = refFor(actor, name, workspace);
    if (lockId === null) {
      await this.countingConflicts('unlock', inTransaction(this.deps.sequelize, undefined, async (t) => {
        const row = await this.deps.repo.findByRef(actor.tenantId, ref, t);
        if (row?.lockId) await this.release(actor, row, 'state.force_unlock', t);
      }));
      return;
    }
    await this.countingConflicts('unlock', this.lockWork(actor, async (t) => {
      const released = await this.deps.repo.releaseLock(actor.tenantId, ref, lockId, t);
      if (released) {
        if (auditsLocks(actor)) {
          await this.deps.audit.record(
            actor, 'state.unlock', { type: 'state', id: released.id },
            { name: ref.name, workspace: ref.workspace, lock_id: lockId, holder: released.lockInfo?.Who ?? null, locked_by: released.lockedBy },
            { transaction: t },
          );
        }
        return;
      }
      const row = await this.deps.repo.findByRef(actor.tenantId, ref, t);
      if (row?.lockId && row.lockId !== lockId) {
        throw new LockedError(`lock ID ${lockId} does not hold state ${ref.name}/${ref.workspace}; it is held by ${row.lockId}`, row.lockInfo, { code: 'lock_id_mismatch' });
      }
    }));
  }

  /** Audited lock work runs in a transaction with its audit row; a run's own needs no transaction. */
  private announceWrite(written: StateWritten): void {
    for (const listener of this.writeListeners) {
      try {
        listener(written);
      } catch (err) {
        this.deps.log.error({ err, stateId: written.stateId }, 'a state write listener failed');
      }
    }
  }

  private lockWork<T>(actor: Actor, work: (t?: Transaction) => Promise<T>): Promise<T> {
    return auditsLocks(actor) ? inTransaction(this.deps.sequelize, undefined, work) : work(undefined);
  }

  async list(actor: Actor): Promise<StateSummary[]> {
    assertUnscoped(actor);
    requirePermission(actor, 'state:read');
    return (await this.deps.repo.list(actor.tenantId)).map(summary);
  }

  async get(actor: Actor, id: string): Promise<StateSummary> {
    assertUnscoped(actor);
    requirePermission(actor, 'state:read');
    return summary(await this.requireById(actor, id));
  }

  async versions(actor: Actor, id: string): Promise<StateVersion[]> {
    assertUnscoped(actor);
    requirePermission(actor, 'state:read');
    return this.deps.repo.versions((await this.requireById(actor, id)).id);
  }

  /** One version's metadata and its state, by the version's id alone (TFE's state-versions/{id}). */
  async version(actor: Actor, versionId: string): Promise<{ state: StateSummary; version: StateVersion }> {
    assertUnscoped(actor);
    requirePermission(actor, 'state:read');
    const version = await this.deps.repo.versionMetaInTenant(actor.tenantId, versionId);
    if (!version) throw new NotFoundError(`state version ${versionId} not found`, { code: 'state_version_not_found' });
    return { state: summary(await this.requireById(actor, version.stateId)), version };
  }

  /** One version's decrypted bytes (by version id or number): the way to inspect or roll back. */
  async downloadVersion(actor: Actor, id: string, versionRef: string): Promise<{ state: StateSummary; version: StateVersion; body: Buffer }> {
    assertUnscoped(actor);
    requirePermission(actor, 'state:read');
    const state = await this.requireById(actor, id);
    const row = await this.deps.repo.versionWithData(state.id, versionRef);
    if (!row) throw new NotFoundError(`state version ${versionRef} not found`, { code: 'state_version_not_found' });
    const { data: _data, keyId: _keyId, ...version } = row;
    return { state: summary(state), version, body: this.open(row) };
  }

  /** Force-unlock through the management API, under the same rule as the backend's (force-unlock.ts). */
  async forceUnlock(actor: Actor, id: string): Promise<StateSummary> {
    assertUnscoped(actor);
    assertMayForceUnlock(actor);
    return inTransaction(this.deps.sequelize, undefined, async (t) => {
      const row = await this.requireById(actor, id, t);
      if (row.lockId) await this.release(actor, row, 'state.force_unlock', t);
      return summary({ ...row, lockId: null, lockInfo: null, lockedAt: null, lockedBy: null });
    });
  }

  /** Deletes a state and every version (admin); refused while locked. By id, or by name for the backend's DELETE. */
  async delete(actor: Actor, target: { id: string } | StateRef): Promise<void> {
    requirePermission(actor, 'state:admin');
    await inTransaction(this.deps.sequelize, undefined, async (t) => {
      const row = 'id' in target ? await this.requireById(actor, target.id, t) : await this.requireByRef(actor, target, t);
      if (row.lockId) throw lockedBy(row, row, 'delete it');
      await this.deps.repo.delete(row.id, t);
      await this.deps.audit.record(
        actor, 'state.delete', { type: 'state', id: row.id },
        { name: row.name, workspace: row.workspace, versions: row.latestVersion, serial: row.serial, lineage: row.lineage },
        { transaction: t },
      );
    });
  }

  private async writeVersion(actor: Actor, row: StateRow, body: Buffer, id: StateIdentity, forced: boolean, t: Transaction): Promise<StateVersion> {
    const version = row.latestVersion + 1;
    const sealed = this.deps.encryptor.seal(body, stateVersionAad(row.id, version));
    return this.deps.repo.addVersion(
      {
        stateId: row.id, tenantId: row.tenantId, version, serial: id.serial, lineage: id.lineage, md5: id.md5, size: body.length,
        keyId: sealed.keyId, data: sealed.data, forced, createdByKind: actor.kind, createdById: actor.tokenId ?? actor.userId ?? null,
        createdByName: actor.name, via: actor.via,
      },
      t,
    );
  }

  /**
   * Frees the lock. A state that was locked but never written (a speculative plan, a plan nobody
   * applied) goes away with its lock: no version means no state, and no empty row is left behind.
   */
  private async release(actor: Actor, row: StateRow, action: 'state.unlock' | 'state.force_unlock', t: Transaction): Promise<void> {
    if (row.currentVersionId) await this.deps.repo.setLock(row.id, null, t);
    else await this.deps.repo.delete(row.id, t);
    if (action === 'state.force_unlock') this.deps.log.info({ stateId: row.id, lockId: row.lockId, actor: actor.name }, 'state lock force-released');
    await this.deps.audit.record(
      actor, action, { type: 'state', id: row.id },
      { name: row.name, workspace: row.workspace, lock_id: row.lockId, holder: row.lockInfo?.Who ?? null, locked_by: row.lockedBy },
      { transaction: t },
    );
  }

  /** The state row locked for this transaction, created on first use (linked to a project of that name). */
  private async lockedRow(actor: Actor, ref: StateRef, t: Transaction): Promise<{ row: StateRow; created: boolean }> {
    const existing = await this.deps.repo.findByRef(actor.tenantId, ref, t);
    if (existing) return { row: existing, created: false };
    // Linking to a registered project is internal bookkeeping, not the caller's read of projects.
    const project = await this.deps.projects.require(systemActors.bookkeeping(actor.tenantId), ref.name, t).catch((err: unknown) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    return this.deps.repo.createAndLock(actor.tenantId, ref, project?.id ?? null, t);
  }

  private async requireById(actor: Actor, id: string, t?: Transaction): Promise<StateWithProject> {
    const row = await this.deps.repo.findById(actor.tenantId, id, t);
    if (!row) throw new NotFoundError(`state ${id} not found`, { code: 'state_not_found' });
    return row;
  }

  private async requireByRef(actor: Actor, ref: StateRef, t: Transaction): Promise<StateRow> {
    const row = await this.deps.repo.findByRef(actor.tenantId, ref, t);
    if (!row) throw new NotFoundError(`state ${ref.name}/${ref.workspace} not found`, { code: 'state_not_found' });
    return row;
  }

  /** Counts a refusal because another lock holds the state (terraform's 423/409), then rethrows it. */
  private async countingConflicts<T>(operation: 'lock' | 'unlock' | 'write', work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      if (err instanceof LockedError) this.metrics.stateLockConflict(operation);
      throw err;
    }
  }

  private open(version: Pick<StateVersionRow, 'stateId' | 'version' | 'keyId' | 'data'>): Buffer {
    return this.deps.encryptor.open({ keyId: version.keyId, data: version.data }, stateVersionAad(version.stateId, version.version));
  }
}

/**
 * A run's terraform locks and unlocks its own state around every command (three state requests
 * a plan): the run itself is the audited event (who queued it, who approved it, how it ended),
 * and its credential can name no other state, so an audit row per lock would only repeat it.
 * A person's or a token's lock (terraform run by hand against the backend) is audited, and so is
 * every force-unlock and every write, whoever makes it.
 */
function auditsLocks(actor: Actor): boolean {
  return !actor.runId;
}

function summary(row: StateWithProject): StateSummary {
  return { ...row, projectName: row.projectName ?? null, isLocked: !!row.lockId };
}

function lockedBy(row: StateRow, ref: StateRef, toDo?: string): LockedError {
  const who = row.lockInfo?.Who || row.lockedBy || 'someone';
  const what = `state ${ref.name}/${ref.workspace} is locked by ${who} (lock ID ${row.lockId})`;
  return new LockedError(toDo ? `${what}; unlock it before you ${toDo}` : what, row.lockInfo, { code: 'state_locked' });
}

/** A write must come from the lock holder while the state is locked (terraform sends `?ID=`). */
function assertMayWrite(row: StateRow, ref: StateRef, lockId: string | undefined): void {
  if (!row.lockId || row.lockId === lockId) return;
  const err = lockedBy(row, ref);
  throw new LockedError(lockId ? `${err.message}; your lock ID ${lockId} does not hold it` : `${err.message}; take the lock first`, row.lockInfo, { code: 'state_locked' });
}

/**
 * The state a request names; a scoped credential (a run's terraform) may only name its own state.
 * Any other is "not found", exactly as another tenant's state is.
 */
function refFor(actor: Actor, name: string, workspace: string): StateRef {
  const ref = parseStateRef(name, workspace);
  if (!scopeCoversState(actor, ref.name, ref.workspace)) {
    throw new NotFoundError(`state ${ref.name}/${ref.workspace} not found`, { code: 'state_not_found' });
  }
  return ref;
}

/** Browsing states by id is for people and tokens, never for a run's state-scoped credential. */
function assertUnscoped(actor: Actor): void {
  if (actor.scope) throw new NotFoundError('not found', { code: 'state_not_found' });
}
