import type { Sequelize, Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { InputError, NotFoundError } from '../errors.js';
import { assertVariableKey, tfeId } from './tfe-variable-rules.js';
import type { TfeVariable, TfeVariableRepository, VariableOwner } from './tfe-variable.repository.js';
import type { TfeWorkspacesService } from './tfe-workspaces.service.js';
import type { VariableInput } from './tfe.schemas.js';
import { defined } from '../db/unique.js';

/** A variable as any caller sees it: a sensitive one's value is null, always. */
export type TfeVariableView = Omit<TfeVariable, 'value'> & { value: string | null };

/** Where a variable lives, for messages: `workspace "web"`, `variable set "aws"`. */
export interface OwnerRef {
  owner: VariableOwner;
  label: string;
}

/**
 * TFE variables (`vars`): `terraform` ones become `TF_VAR_<key>`, `env` ones plain environment
 * variables of a run (tfe-run-variables.ts). Values are sealed at rest; a sensitive value is
 * write-only: no endpoint returns it, not even to an admin, no audit row holds it, and a sensitive
 * variable cannot be made plain again (delete it instead). A workspace's own variables are read by
 * its readers and written by its writers; a variable set's go through TfeVarsetsService, which
 * checks its own permission and then uses the `…In` methods here, so both share one set of rules.
 */
export class TfeVariablesService {
  constructor(private readonly deps: { sequelize: Sequelize; repo: TfeVariableRepository; workspaces: TfeWorkspacesService; audit: AuditLog }) {}

  async list(actor: Actor, workspaceId: string): Promise<TfeVariableView[]> {
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    return this.listIn(actor, { workspaceId: ws.id });
  }

  async create(actor: Actor, workspaceId: string, input: VariableInput): Promise<TfeVariableView> {
    requirePermission(actor, 'project:write');
    return this.createIn(actor, await this.workspaceRef(actor, workspaceId), input);
  }

  async update(actor: Actor, workspaceId: string, id: string, input: VariableInput): Promise<TfeVariableView> {
    requirePermission(actor, 'project:write');
    return this.updateIn(actor, await this.workspaceRef(actor, workspaceId), id, input);
  }

  async delete(actor: Actor, workspaceId: string, id: string): Promise<void> {
    requirePermission(actor, 'project:write');
    await this.deleteIn(actor, await this.workspaceRef(actor, workspaceId), id);
  }

  /** `PATCH /vars/{id}` (go-tfe's older path): a workspace variable by its id alone. */
  async updateById(actor: Actor, id: string, input: VariableInput): Promise<TfeVariableView> {
    return this.update(actor, await this.workspaceOf(actor, id), id, input);
  }

  async deleteById(actor: Actor, id: string): Promise<void> {
    await this.delete(actor, await this.workspaceOf(actor, id), id);
  }

  listIn(actor: Actor, owner: VariableOwner): Promise<TfeVariableView[]> {
    return this.deps.repo.list(actor.tenantId, owner).then((list) => list.map(view));
  }

  /** The caller checked that `actor` may write to `where`; within `outer` when given (a set created with its variables). */
  async createIn(actor: Actor, where: OwnerRef, input: VariableInput, outer?: Transaction): Promise<TfeVariableView> {
    if (!input.key) throw new InputError('data.attributes.key: is required', { code: 'variable_invalid' });
    if (!input.category) throw new InputError('data.attributes.category: is required (terraform or env)', { code: 'variable_invalid' });
    const { key, category } = input;
    assertVariableKey(key, category);
    return inTransaction(this.deps.sequelize, outer, async (t) => {
      const created = await this.deps.repo.insert({
        id: tfeId('var'), tenantId: actor.tenantId, workspaceId: null, varsetId: null, ...where.owner, key, category,
        hcl: input.hcl ?? false, sensitive: input.sensitive ?? false, description: input.description ?? '', value: input.value ?? '',
      }, t);
      if (!created) throw taken(key, category, where.label);
      await this.audited(actor, 'tfe.variable.create', created, t);
      return view(created);
    });
  }

  async updateIn(actor: Actor, where: OwnerRef, id: string, input: VariableInput): Promise<TfeVariableView> {
    return inTransaction(this.deps.sequelize, undefined, async (t) => {
      const before = await this.deps.repo.find(actor.tenantId, where.owner, id, t);
      if (!before) throw notFound(id);
      if (before.sensitive && input.sensitive === false) {
        throw new InputError(`variable ${before.key} is sensitive and stays so: delete it and create a plain one`, { code: 'variable_sensitive' });
      }
      const next = { ...before, ...changesOf(input) };
      assertVariableKey(next.key, next.category);
      const updated = await this.deps.repo.update(next, t);
      if (!updated) throw taken(next.key, next.category, where.label);
      await this.audited(actor, 'tfe.variable.update', updated, t, { value_changed: input.value !== undefined });
      return view(updated);
    });
  }

  async deleteIn(actor: Actor, where: OwnerRef, id: string): Promise<void> {
    await inTransaction(this.deps.sequelize, undefined, async (t) => {
      const before = await this.deps.repo.find(actor.tenantId, where.owner, id, t);
      if (!before) throw notFound(id);
      await this.deps.repo.delete(actor.tenantId, id, t);
      await this.audited(actor, 'tfe.variable.delete', before, t);
    });
  }

  private async workspaceRef(actor: Actor, workspaceId: string): Promise<OwnerRef> {
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    return { owner: { workspaceId: ws.id }, label: `workspace "${ws.name}"` };
  }

  private async workspaceOf(actor: Actor, id: string): Promise<string> {
    requirePermission(actor, 'project:read');
    const v = await this.deps.repo.findById(actor.tenantId, id);
    if (!v?.workspaceId) throw notFound(id);
    return v.workspaceId;
  }

  /** The audit names the variable, never its value. */
  private audited(actor: Actor, action: string, v: TfeVariable, t: Transaction, extra: Record<string, unknown> = {}) {
    const owner = v.workspaceId ? { workspace: v.workspaceId } : { varset: v.varsetId };
    return this.deps.audit.record(actor, action, { type: 'tfe_variable', id: v.id }, { ...owner, key: v.key, category: v.category, sensitive: v.sensitive, ...extra }, { transaction: t });
  }
}

export function view({ value, ...v }: TfeVariable): TfeVariableView {
  return { ...v, value: v.sensitive ? null : value };
}

/** The variable's own fields the input sets (the document may carry others; undefined leaves a field alone). */
function changesOf({ key, value, category, hcl, sensitive, description }: VariableInput): Partial<TfeVariable> {
  return defined({ key, value, category, hcl, sensitive, description });
}

const notFound = (id: string) => new NotFoundError(`variable ${id} not found`, { code: 'variable_not_found' });
const taken = (key: string, category: string, where: string) =>
  new InputError(`data.attributes.key: ${where} already has a ${category} variable ${key} (keys are unique per category)`, { code: 'variable_exists' });
