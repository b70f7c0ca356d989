import { randomBytes, randomUUID } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import type { DriftService } from '../drift/drift.service.js';
import { ConflictError, InputError, LockedError, NotAllowedError, NotFoundError } from '../errors.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { RunnersService } from '../runners/runners.service.js';
import type { LockInfo } from '../state/lock-info.js';
import { parseStateRef, type StateRef } from '../state/state-ref.js';
import type { StateService } from '../state/state.service.js';
import type { Tenant } from '../tenants/tenant.model.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import { workspacePermissions, type TfeWorkspacePermissions } from './tfe-permissions.js';
import type { TfeWorkspace, TfeWorkspaceChanges, TfeWorkspaceRepository, TfeWorkspaceRow } from './tfe-workspace.repository.js';
import { bindingOfTag, tagOfBinding, type TagBinding, type WorkspaceSettings } from './tfe.schemas.js';

export type DriftStatus = '' | 'no_drift' | 'drifted' | 'errored';

/** A workspace as a caller sees it: its settings, its state's lock, the caller's permissions, drift. */
export interface TfeWorkspaceView extends TfeWorkspace {
  organization: string;
  locked: boolean;
  /** who holds the state lock (a TFE lock or an http-backend lock), when locked */
  lockedBy: string | null;
  currentStateVersionId: string | null;
  permissions: TfeWorkspacePermissions;
  drift: { status: DriftStatus; lastCheckedAt: Date | null };
}

export interface WorkspacePage {
  items: TfeWorkspaceView[];
  total: number;
  page: number;
  size: number;
}

/** What a TFE workspace lock writes into the state lock, next to terraform's own LockInfo fields. */
interface TfeLockMark {
  workspace: string;
  holder: string;
}

interface Deps {
  sequelize: Sequelize;
  repo: TfeWorkspaceRepository;
  tenants: TenantsService;
  projects: ProjectsService;
  state: StateService;
  drift: DriftService;
  audit: AuditLog;
  /** an agent-mode workspace's pool is its project's runner pool */
  runners: Pick<RunnersService, 'pool' | 'assignProjectPool' | 'projectPool'>;
}

/**
 * TFE workspaces (the terraform CLI's `cloud {}` block). An organization is a tenant (its slug);
 * a workspace names one Atlantas state: the state of a registered project (the project named in
 * the `project` relationship, or the project of the workspace's own name), else the state of
 * the workspace's name in workspace `default`. Its lock IS that state's lock, so a TFE lock and
 * the http backend's LOCK exclude each other, and its state versions are the state's versions.
 */
export class TfeWorkspacesService {
  constructor(private readonly deps: Deps) {}

  /** The caller's own tenant, when `org` is its slug; any other organization does not exist for it. */
  async organization(actor: Actor, org: string): Promise<Tenant> {
    requirePermission(actor, 'tenant:read');
    const tenant = await this.deps.tenants.require(actor.tenantId);
    if (tenant.slug !== org) throw new NotFoundError(`organization "${org}" not found`, { code: 'organization_not_found' });
    return tenant;
  }

  async list(actor: Actor, org: string, q: { name?: string; tags?: string[]; tagKeys?: string[]; projectId?: string; page: number; size: number }): Promise<WorkspacePage> {
    const tenant = await this.organization(actor, org);
    requirePermission(actor, 'project:read');
    const { items, total } = await this.deps.repo.list(actor.tenantId, {
      name: q.name, tags: q.tags, tagKeys: q.tagKeys, projectId: q.projectId, limit: q.size, offset: (q.page - 1) * q.size,
    });
    return { items: await Promise.all(items.map((w) => this.view(actor, tenant, w))), total, page: q.page, size: q.size };
  }

  async getByName(actor: Actor, org: string, name: string): Promise<TfeWorkspaceView> {
    const tenant = await this.organization(actor, org);
    requirePermission(actor, 'project:read');
    const row = await this.deps.repo.findByName(actor.tenantId, name);
    if (!row) throw notFound(name);
    return this.view(actor, tenant, row);
  }

  async get(actor: Actor, id: string): Promise<TfeWorkspaceView> {
    requirePermission(actor, 'project:read');
    return this.view(actor, await this.deps.tenants.require(actor.tenantId), await this.require(actor, id));
  }

  async create(actor: Actor, org: string, settings: WorkspaceSettings): Promise<TfeWorkspaceView> {
    const tenant = await this.organization(actor, org);
    requirePermission(actor, 'project:write');
    if (!settings.name) throw new InputError('data.attributes.name: is required', { code: 'validation_error' });
    const name = settings.name;
    assertAgentPool(settings.executionMode ?? 'local', settings.agentPoolId ?? null);
    if (settings.agentPoolId) await this.deps.runners.pool(actor, settings.agentPoolId); // another tenant's pool does not exist
    const mapping = await this.stateFor(actor, name, settings.project ?? null);
    const row = await inTransaction(this.deps.sequelize, undefined, async (t) => {
      if (await this.deps.repo.findByName(actor.tenantId, name, t)) throw exists(name, org);
      const taken = await this.deps.repo.findByState(actor.tenantId, mapping.ref.name, mapping.ref.workspace, t);
      if (taken) throw new ConflictError(`state ${mapping.ref.name}/${mapping.ref.workspace} already belongs to workspace "${taken.name}"`, { code: 'workspace_state_taken' });
      const created = await this.deps.repo.insert({
        id: `ws-${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`, tenantId: actor.tenantId, name,
        projectId: mapping.projectId, stateName: mapping.ref.name, stateWorkspace: mapping.ref.workspace,
        description: settings.description ?? '', executionMode: settings.executionMode ?? 'local', autoApply: settings.autoApply ?? false,
        terraformVersion: settings.terraformVersion ?? 'latest', workingDirectory: settings.workingDirectory ?? '', tags: settings.tags ?? [],
        labels: settings.labels ?? {}, vcsRepo: settings.vcsRepo ?? null, agentPoolId: settings.agentPoolId ?? null,
      }, t);
      if (!created) throw exists(name, org);
      await this.deps.audit.record(actor, 'tfe.workspace.create', { type: 'tfe_workspace', id: created.id }, { name, state: `${mapping.ref.name}/${mapping.ref.workspace}` }, { transaction: t });
      return created;
    });
    await this.syncProjectPool(actor, null, row);
    return this.view(actor, tenant, (await this.deps.repo.findById(actor.tenantId, row.id))!);
  }

  async update(actor: Actor, id: string, settings: WorkspaceSettings): Promise<TfeWorkspaceView> {
    requirePermission(actor, 'project:write');
    const tenant = await this.deps.tenants.require(actor.tenantId);
    const { project: _project, ...asked } = settings;
    const changes: TfeWorkspaceChanges = { ...asked };
    if (settings.agentPoolId) await this.deps.runners.pool(actor, settings.agentPoolId); // another tenant's pool does not exist
    const before = await inTransaction(this.deps.sequelize, undefined, async (t) => {
      const before = await this.deps.repo.findById(actor.tenantId, id, t);
      if (!before) throw notFound(id);
      assertAgentPool(settings.executionMode ?? before.executionMode, settings.agentPoolId !== undefined ? settings.agentPoolId : before.agentPoolId);
      if (settings.project !== undefined) Object.assign(changes, await this.remap(actor, before, settings.project, t));
      if (settings.name && settings.name !== before.name && (await this.deps.repo.findByName(actor.tenantId, settings.name, t))) {
        throw exists(settings.name, tenant.slug);
      }
      await this.deps.repo.update(actor.tenantId, id, changes, t);
      await this.deps.audit.record(actor, 'tfe.workspace.update', { type: 'tfe_workspace', id }, { ...settings }, { transaction: t });
      return before;
    });
    const after = await this.require(actor, id);
    await this.syncProjectPool(actor, before, after);
    return this.view(actor, tenant, after);
  }

  /**
   * Deletes the workspace and, unless a registered project owns it, its state. Refused while
   * locked; `safe` (the CLI's safe-delete) also refuses while the state still manages resources.
   */
  async delete(actor: Actor, target: { id: string } | { org: string; name: string }, options: { safe?: boolean } = {}): Promise<void> {
    requirePermission(actor, 'state:admin');
    const row = 'id' in target ? await this.require(actor, target.id) : await this.requireByName(actor, target.org, target.name);
    if (row.lockId) throw lockedError(row, 'delete it');
    if (options.safe && row.currentVersionId) {
      const doc = await this.deps.state.readCurrentDocument(actor, row.stateName, row.stateWorkspace);
      const resources = Array.isArray(doc?.resources) ? doc.resources.length : 0;
      if (resources > 0) {
        throw new ConflictError(`workspace "${row.name}" still manages ${resources} resource(s); destroy them first, or delete with -force`, { code: 'workspace_not_empty' });
      }
    }
    if (!row.projectId && row.currentVersionId) await this.deps.state.delete(actor, { name: row.stateName, workspace: row.stateWorkspace });
    await inTransaction(this.deps.sequelize, undefined, async (t) => {
      await this.deps.repo.delete(actor.tenantId, row.id, t);
      await this.deps.audit.record(actor, 'tfe.workspace.delete', { type: 'tfe_workspace', id: row.id }, { name: row.name, state_deleted: !row.projectId }, { transaction: t });
    });
  }

  /** Takes the workspace's state lock; held (by TFE or by the http backend) → LockedError. */
  async lock(actor: Actor, id: string, reason: string | undefined): Promise<TfeWorkspaceView> {
    requirePermission(actor, 'state:lock');
    const tenant = await this.deps.tenants.require(actor.tenantId);
    const row = await this.require(actor, id);
    const mark: TfeLockMark = { workspace: row.id, holder: holderOf(actor) };
    const info: LockInfo = {
      ID: `tfe-${randomUUID()}`, Operation: 'OperationTypeTfeLock', Info: reason ?? '', Who: actor.name, Version: '',
      Created: new Date().toISOString(), Path: `${tenant.slug}/${row.name}`, AtlantasTfe: mark,
    };
    if (row.lockId) throw lockedError(row);
    await this.deps.state.lock(actor, row.stateName, row.stateWorkspace, info);
    return this.view(actor, tenant, await this.require(actor, id));
  }

  /** Releases the caller's own TFE lock; another's lock, or an http-backend lock, needs force-unlock. */
  async unlock(actor: Actor, id: string): Promise<TfeWorkspaceView> {
    requirePermission(actor, 'state:lock');
    const row = await this.require(actor, id);
    if (!row.lockId) throw new ConflictError(`workspace "${row.name}" is not locked`, { code: 'workspace_not_locked' });
    const mark = tfeMark(row.lockInfo);
    if (!mark || mark.holder !== holderOf(actor)) {
      const err = lockedError(row);
      throw new LockedError(`${err.message}; only its holder unlocks it, or an admin force-unlocks it`, row.lockInfo, { code: 'workspace_locked' });
    }
    await this.deps.state.unlock(actor, row.stateName, row.stateWorkspace, row.lockId);
    return this.get(actor, id);
  }

  /** Takes any lock away (terraform force-unlock), under the one force-unlock rule of core/state. */
  async forceUnlock(actor: Actor, id: string): Promise<TfeWorkspaceView> {
    requirePermission(actor, 'state:lock');
    const row = await this.require(actor, id);
    if (!row.lockId) throw new ConflictError(`workspace "${row.name}" is not locked`, { code: 'workspace_not_locked' });
    await this.deps.state.unlock(actor, row.stateName, row.stateWorkspace, null);
    return this.get(actor, id);
  }

  /** The lock ID a state write through TFE goes under: the caller's own TFE lock, else a refusal. */
  async writeLockOf(actor: Actor, row: TfeWorkspaceRow): Promise<string> {
    if (!row.lockId) {
      throw new ConflictError(`workspace "${row.name}" must be locked by you to write state: POST /api/v2/workspaces/${row.id}/actions/lock first`, { code: 'workspace_not_locked' });
    }
    const mark = tfeMark(row.lockInfo);
    if (!mark || mark.holder !== holderOf(actor)) throw lockedError(row);
    return row.lockId;
  }

  async setTags(actor: Actor, id: string, change: { add?: string[]; remove?: string[] }): Promise<TfeWorkspaceView> {
    const row = await this.require(actor, id);
    const tags = new Set(row.tags);
    for (const t of change.add ?? []) tags.add(t);
    for (const t of change.remove ?? []) tags.delete(t);
    return this.update(actor, id, { tags: [...tags] });
  }

  /** The workspace's tags as key-value bindings (`key:value` is key + value, a plain tag a key with an empty value). */
  async tagBindings(actor: Actor, id: string): Promise<TagBinding[]> {
    return (await this.require(actor, id)).tags.map(bindingOfTag);
  }

  /** Adds bindings, replacing the value of a key the workspace already has (go-tfe AddTagBindings); answers them all. */
  async addTagBindings(actor: Actor, id: string, bindings: TagBinding[]): Promise<TagBinding[]> {
    const row = await this.require(actor, id);
    const keys = new Set(bindings.map((b) => b.key));
    const tags = [...row.tags.filter((t) => !keys.has(bindingOfTag(t).key)), ...bindings.map(tagOfBinding)];
    return (await this.update(actor, id, { tags: [...new Set(tags)] })).tags.map(bindingOfTag);
  }

  /** A workspace of the caller's tenant, by id; NotFoundError otherwise (other tenants' too). */
  async require(actor: Actor, id: string): Promise<TfeWorkspaceRow> {
    requirePermission(actor, 'project:read');
    const row = await this.deps.repo.findById(actor.tenantId, id);
    if (!row) throw notFound(id);
    return row;
  }

  /** The workspace that names this state; a state no TFE workspace names is not TFE's to show. */
  async forState(actor: Actor, stateName: string, stateWorkspace: string): Promise<TfeWorkspaceRow> {
    requirePermission(actor, 'project:read');
    const row = await this.deps.repo.findByState(actor.tenantId, stateName, stateWorkspace);
    if (!row) throw new NotFoundError(`no workspace holds state ${stateName}/${stateWorkspace}`, { code: 'workspace_not_found' });
    return row;
  }

  async requireByName(actor: Actor, org: string, name: string): Promise<TfeWorkspaceRow> {
    await this.organization(actor, org);
    requirePermission(actor, 'project:read');
    const row = await this.deps.repo.findByName(actor.tenantId, name);
    if (!row) throw notFound(name);
    return row;
  }

  private async view(actor: Actor, tenant: Tenant, row: TfeWorkspaceRow): Promise<TfeWorkspaceView> {
    const { lockId, lockInfo, currentVersionId, ...workspace } = row;
    return {
      ...workspace, organization: tenant.slug, locked: !!lockId, lockedBy: lockId ? (lockInfo?.Who ?? 'someone') : null,
      currentStateVersionId: currentVersionId, permissions: workspacePermissions(actor), drift: await this.driftOf(actor, row),
    };
  }

  /**
   * Agent mode runs the workspace's project on its agent pool: the project's runner pool follows
   * the workspace (set when it enters agent mode or changes pool, cleared when it leaves agent
   * mode while the project still waits for that pool). Runs after the workspace is written.
   */
  private async syncProjectPool(actor: Actor, before: TfeWorkspace | null, after: TfeWorkspace): Promise<void> {
    const wants = after.executionMode === 'agent' ? after.agentPoolId : null;
    const had = before?.executionMode === 'agent' ? before.agentPoolId : null;
    if (before?.projectId && before.projectId !== after.projectId && had && (await this.deps.runners.projectPool(actor, before.projectId)) === had) {
      await this.deps.runners.assignProjectPool(actor, before.projectId, null);
    }
    if (!after.projectId) return;
    if (wants) await this.deps.runners.assignProjectPool(actor, after.projectId, wants);
    else if (had && (await this.deps.runners.projectPool(actor, after.projectId)) === had) await this.deps.runners.assignProjectPool(actor, after.projectId, null);
  }

  /** The latest drift record of the project + workspace this workspace's state belongs to. */
  private async driftOf(actor: Actor, row: TfeWorkspaceRow): Promise<TfeWorkspaceView['drift']> {
    if (!row.projectId) return { status: '', lastCheckedAt: null };
    const records = await this.deps.drift.list(actor, { projectId: row.projectId, workspace: row.stateWorkspace }).catch((err: unknown) => {
      if (err instanceof NotAllowedError) return []; // a credential that may not read runs sees no drift
      throw err;
    });
    const [record] = records
      .filter((r) => r.lastCheckedAt)
      .sort((a, b) => new Date(b.lastCheckedAt!).getTime() - new Date(a.lastCheckedAt!).getTime());
    if (!record) return { status: '', lastCheckedAt: null };
    const status: DriftStatus = record.status === 'errored' ? 'errored' : record.hasDrift ? 'drifted' : 'no_drift';
    return { status, lastCheckedAt: record.lastCheckedAt };
  }

  /** Which state a new workspace names (see the class comment). */
  private async stateFor(actor: Actor, name: string, project: string | null): Promise<{ ref: StateRef; projectId: string | null }> {
    if (project) {
      const p = await this.deps.projects.require(actor, project);
      return { ref: parseStateRef(p.name, name), projectId: p.id };
    }
    const same = await this.deps.projects.require(actor, name).catch((err: unknown) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    if (same) return { ref: parseStateRef(same.name, same.workspace), projectId: same.id };
    return { ref: parseStateRef(name, 'default'), projectId: null };
  }

  /** Pointing a workspace at another project's state: only while its own state is empty and unlocked. */
  private async remap(actor: Actor, before: TfeWorkspaceRow, project: string | null, t: Transaction): Promise<TfeWorkspaceChanges> {
    const mapping = await this.stateFor(actor, before.name, project);
    if (mapping.ref.name === before.stateName && mapping.ref.workspace === before.stateWorkspace) return { projectId: mapping.projectId };
    if (before.currentVersionId || before.lockId) {
      throw new ConflictError(`workspace "${before.name}" already has state (or is locked); its project can change only while its state is empty`, { code: 'workspace_state_in_use' });
    }
    const taken = await this.deps.repo.findByState(actor.tenantId, mapping.ref.name, mapping.ref.workspace, t);
    if (taken) throw new ConflictError(`state ${mapping.ref.name}/${mapping.ref.workspace} already belongs to workspace "${taken.name}"`, { code: 'workspace_state_taken' });
    return { projectId: mapping.projectId, stateName: mapping.ref.name, stateWorkspace: mapping.ref.workspace };
  }
}

const exists = (name: string, org: string) => new ConflictError(`a workspace named "${name}" already exists in organization ${org}`, { code: 'workspace_exists' });
const notFound = (ref: string) => new NotFoundError(`workspace ${ref} not found`, { code: 'workspace_not_found' });

/** Who holds a TFE lock: the person (any of their tokens), or a system actor by name. */
function holderOf(actor: Actor): string {
  return actor.userId ? `user:${actor.userId}` : `${actor.kind}:${actor.name}`;
}

function tfeMark(info: LockInfo | null): TfeLockMark | null {
  const mark = info?.AtlantasTfe as TfeLockMark | undefined;
  return mark && typeof mark.holder === 'string' ? mark : null;
}

function lockedError(row: TfeWorkspaceRow, toDo?: string): LockedError {
  const who = row.lockInfo?.Who || 'someone';
  const how = tfeMark(row.lockInfo) ? 'a TFE workspace lock' : `a state lock (ID ${row.lockId})`;
  const what = `workspace "${row.name}" is locked by ${who} (${how})`;
  return new LockedError(toDo ? `${what}; unlock it before you ${toDo}` : what, row.lockInfo, { code: 'workspace_locked' });
}

function assertAgentPool(mode: string, pool: string | null): void {
  if (mode === 'agent' && !pool) {
    throw new InputError('execution-mode "agent" needs an agent pool: set agent-pool-id (or the agent-pool relationship)', { code: 'validation_error' });
  }
}
