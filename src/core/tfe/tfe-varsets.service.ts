import type { Sequelize } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { InputError, NotFoundError } from '../errors.js';
import { tfeId } from './tfe-variable-rules.js';
import type { TfeVariablesService, TfeVariableView, OwnerRef } from './tfe-variables.service.js';
import type { TfeVarset, TfeVarsetChanges, TfeVarsetRepository } from './tfe-varset.repository.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import type { TfeWorkspacesService } from './tfe-workspaces.service.js';
import type { VariableInput } from './tfe.schemas.js';

export interface VarsetInput {
  name?: string;
  description?: string;
  global?: boolean;
  priority?: boolean;
  workspaceIds?: string[];
}

/** A set with its variables (sensitive values null, as everywhere). */
export interface TfeVarsetView extends TfeVarset {
  organization: string;
  vars: TfeVariableView[];
}

/**
 * Variable sets (TFE `varsets`) of an organization (tenant). Reading is for anyone who may read
 * the tenant's workspaces; creating, changing, deleting a set, its variables and its workspaces
 * is for the tenant's admins (`tenant:manage`). Another tenant's set, or another tenant's
 * workspace in an attach list, does not exist (404).
 */
export class TfeVarsetsService {
  constructor(private readonly deps: { sequelize: Sequelize; repo: TfeVarsetRepository; variables: TfeVariablesService; workspaces: TfeWorkspacesService; tenants: TenantsService; audit: AuditLog }) {}

  async list(actor: Actor, org: string): Promise<TfeVarsetView[]> {
    const tenant = await this.deps.workspaces.organization(actor, org);
    requirePermission(actor, 'project:read');
    return Promise.all((await this.deps.repo.list(actor.tenantId)).map((s) => this.view(actor, tenant.slug, s)));
  }

  /** The sets that apply to a workspace (global ones included), as `workspaces/{id}/varsets` lists them. */
  async forWorkspace(actor: Actor, workspaceId: string): Promise<TfeVarsetView[]> {
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    const slug = await this.slug(actor);
    return Promise.all((await this.deps.repo.forWorkspace(actor.tenantId, ws.id)).map((s) => this.view(actor, slug, s)));
  }

  async get(actor: Actor, id: string): Promise<TfeVarsetView> {
    requirePermission(actor, 'project:read');
    return this.view(actor, await this.slug(actor), await this.require(actor, id));
  }

  async create(actor: Actor, org: string, input: VarsetInput, vars: VariableInput[] = []): Promise<TfeVarsetView> {
    const tenant = await this.deps.workspaces.organization(actor, org);
    requirePermission(actor, 'tenant:manage');
    if (!input.name) throw new InputError('data.attributes.name: is required', { code: 'varset_invalid' });
    const name = input.name;
    const workspaceIds = await this.ownWorkspaces(actor, input.workspaceIds ?? []);
    const id = tfeId('varset');
    // one transaction: a bad variable in the create document leaves no half-written set behind
    await inTransaction(this.deps.sequelize, undefined, async (t) => {
      const ok = await this.deps.repo.insert({ id, tenantId: actor.tenantId, name, description: input.description ?? '', global: input.global ?? false, priority: input.priority ?? false }, t);
      if (!ok) throw exists(name, org);
      await this.deps.repo.attach(actor.tenantId, id, workspaceIds, t);
      await this.deps.audit.record(actor, 'tfe.varset.create', { type: 'tfe_varset', id }, { name, global: input.global ?? false, priority: input.priority ?? false, workspaces: workspaceIds }, { transaction: t });
      for (const v of vars) await this.deps.variables.createIn(actor, refOf({ id, name }), v, t);
    });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: string, input: VarsetInput): Promise<TfeVarsetView> {
    requirePermission(actor, 'tenant:manage');
    const slug = await this.slug(actor);
    const workspaceIds = input.workspaceIds ? await this.ownWorkspaces(actor, input.workspaceIds) : undefined;
    await inTransaction(this.deps.sequelize, undefined, async (t) => {
      const before = await this.deps.repo.find(actor.tenantId, id, t);
      if (!before) throw notFound(id);
      const changes: TfeVarsetChanges = { name: input.name, description: input.description, global: input.global, priority: input.priority };
      if (!(await this.deps.repo.update(actor.tenantId, id, changes, t))) throw exists(input.name ?? before.name, slug);
      if (workspaceIds) {
        // PATCH with a workspaces relationship replaces the attached list, as TFC does
        await this.deps.repo.detach(actor.tenantId, id, before.workspaceIds.filter((w) => !workspaceIds.includes(w)), t);
        await this.deps.repo.attach(actor.tenantId, id, workspaceIds, t);
      }
      await this.deps.audit.record(actor, 'tfe.varset.update', { type: 'tfe_varset', id }, { ...changes, workspaces: workspaceIds }, { transaction: t });
    });
    return this.get(actor, id);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'tenant:manage');
    await inTransaction(this.deps.sequelize, undefined, async (t) => {
      const before = await this.deps.repo.find(actor.tenantId, id, t);
      if (!before) throw notFound(id);
      await this.deps.repo.delete(actor.tenantId, id, t);
      await this.deps.audit.record(actor, 'tfe.varset.delete', { type: 'tfe_varset', id }, { name: before.name }, { transaction: t });
    });
  }

  attach(actor: Actor, id: string, workspaceIds: string[]): Promise<void> {
    return this.changeWorkspaces(actor, id, workspaceIds, 'attach');
  }

  detach(actor: Actor, id: string, workspaceIds: string[]): Promise<void> {
    return this.changeWorkspaces(actor, id, workspaceIds, 'detach');
  }

  /** Attaches or detaches workspaces of the caller's own tenant (another's are 404), audited. */
  private async changeWorkspaces(actor: Actor, id: string, workspaceIds: string[], change: 'attach' | 'detach'): Promise<void> {
    requirePermission(actor, 'tenant:manage');
    const set = await this.require(actor, id);
    const own = await this.ownWorkspaces(actor, workspaceIds);
    await inTransaction(this.deps.sequelize, undefined, async (t) => {
      await this.deps.repo[change](actor.tenantId, set.id, own, t);
      await this.deps.audit.record(actor, `tfe.varset.${change}`, { type: 'tfe_varset', id }, { workspaces: own }, { transaction: t });
    });
  }

  async listVars(actor: Actor, id: string): Promise<TfeVariableView[]> {
    requirePermission(actor, 'project:read');
    const set = await this.require(actor, id);
    return this.deps.variables.listIn(actor, { varsetId: set.id });
  }

  async createVar(actor: Actor, id: string, input: VariableInput): Promise<TfeVariableView> {
    return this.deps.variables.createIn(actor, await this.writable(actor, id), input);
  }

  async updateVar(actor: Actor, id: string, varId: string, input: VariableInput): Promise<TfeVariableView> {
    return this.deps.variables.updateIn(actor, await this.writable(actor, id), varId, input);
  }

  async deleteVar(actor: Actor, id: string, varId: string): Promise<void> {
    await this.deps.variables.deleteIn(actor, await this.writable(actor, id), varId);
  }

  private async writable(actor: Actor, id: string): Promise<OwnerRef> {
    requirePermission(actor, 'tenant:manage');
    return refOf(await this.require(actor, id));
  }

  private async require(actor: Actor, id: string): Promise<TfeVarset> {
    const set = await this.deps.repo.find(actor.tenantId, id);
    if (!set) throw notFound(id);
    return set;
  }

  /** Every id must be a workspace of the caller's tenant; the first that is not is a 404. */
  private async ownWorkspaces(actor: Actor, ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    for (const w of unique) await this.deps.workspaces.require(actor, w);
    return unique;
  }

  private async slug(actor: Actor): Promise<string> {
    return (await this.deps.tenants.require(actor.tenantId)).slug;
  }

  private async view(actor: Actor, organization: string, s: TfeVarset): Promise<TfeVarsetView> {
    return { ...s, organization, vars: await this.deps.variables.listIn(actor, { varsetId: s.id }) };
  }
}

const refOf = (s: Pick<TfeVarset, 'id' | 'name'>): OwnerRef => ({ owner: { varsetId: s.id }, label: `variable set "${s.name}"` });
const notFound = (id: string) => new NotFoundError(`variable set ${id} not found`, { code: 'varset_not_found' });
const exists = (name: string, org: string) => new InputError(`data.attributes.name: organization ${org} already has a variable set named "${name}"`, { code: 'varset_exists' });
