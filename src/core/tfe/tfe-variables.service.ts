import { randomBytes } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { TfeVariable, TfeVariableRepository, VariableCategory } from './tfe-variable.repository.js';
import type { TfeWorkspacesService } from './tfe-workspaces.service.js';
import type { VariableInput } from './tfe.schemas.js';

/** A variable as any caller sees it: a sensitive one's value is null, always. */
export type TfeVariableView = Omit<TfeVariable, 'value'> & { value: string | null };

const TERRAFORM_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Workspace variables (TFE `vars`): `terraform` ones become `-var`/`TF_VAR_`, `env` ones plain
 * environment variables of a remote run. Values are sealed at rest; a sensitive value is
 * write-only: no endpoint returns it, not even to an admin, and a sensitive variable cannot be
 * made plain again (delete it instead). Reading is the workspace's readers', writing its writers'.
 */
export class TfeVariablesService {
  constructor(private readonly deps: { sequelize: Sequelize; repo: TfeVariableRepository; workspaces: TfeWorkspacesService; audit: AuditLog }) {}

  async list(actor: Actor, workspaceId: string): Promise<TfeVariableView[]> {
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    return (await this.deps.repo.list(actor.tenantId, ws.id)).map(view);
  }

  async create(actor: Actor, workspaceId: string, input: VariableInput): Promise<TfeVariableView> {
    requirePermission(actor, 'project:write');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    if (!input.key) throw new InputError('data.attributes.key: is required', { code: 'validation_error' });
    if (!input.category) throw new InputError('data.attributes.category: is required (terraform or env)', { code: 'validation_error' });
    assertKey(input.key, input.category);
    return inTransaction(this.deps.sequelize, undefined, async (t) => {
      const created = await this.deps.repo.insert({
        id: `var-${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`, tenantId: actor.tenantId, workspaceId: ws.id, key: input.key!,
        category: input.category!, hcl: input.hcl ?? false, sensitive: input.sensitive ?? false, description: input.description ?? '', value: input.value ?? '',
      }, t);
      if (!created) throw taken(input.key!, input.category!, ws.name);
      await this.audited(actor, 'tfe.variable.create', created, t);
      return view(created);
    });
  }

  async update(actor: Actor, workspaceId: string, id: string, input: VariableInput): Promise<TfeVariableView> {
    requirePermission(actor, 'project:write');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    return inTransaction(this.deps.sequelize, undefined, async (t) => {
      const before = await this.deps.repo.find(actor.tenantId, ws.id, id, t);
      if (!before) throw notFound(id);
      if (before.sensitive && input.sensitive === false) {
        throw new ConflictError(`variable ${before.key} is sensitive and stays so: delete it and create a plain one`, { code: 'variable_sensitive' });
      }
      const next = { ...before, ...defined(input) };
      assertKey(next.key, next.category);
      const updated = await this.deps.repo.update(next, t);
      if (!updated) throw taken(next.key, next.category, ws.name);
      await this.audited(actor, 'tfe.variable.update', updated, t, { value_changed: input.value !== undefined });
      return view(updated);
    });
  }

  async delete(actor: Actor, workspaceId: string, id: string): Promise<void> {
    requirePermission(actor, 'project:write');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    await inTransaction(this.deps.sequelize, undefined, async (t) => {
      const before = await this.deps.repo.find(actor.tenantId, ws.id, id, t);
      if (!before) throw notFound(id);
      await this.deps.repo.delete(actor.tenantId, id, t);
      await this.audited(actor, 'tfe.variable.delete', before, t);
    });
  }

  /** The audit names the variable, never its value. */
  private audited(actor: Actor, action: string, v: TfeVariable, t: Transaction, extra: Record<string, unknown> = {}) {
    return this.deps.audit.record(actor, action, { type: 'tfe_variable', id: v.id }, { workspace: v.workspaceId, key: v.key, category: v.category, sensitive: v.sensitive, ...extra }, { transaction: t });
  }
}

function view({ value, ...v }: TfeVariable): TfeVariableView {
  return { ...v, value: v.sensitive ? null : value };
}

function defined(input: VariableInput): Partial<TfeVariable> {
  return Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && ['key', 'value', 'category', 'hcl', 'sensitive', 'description'].includes(k)));
}

function assertKey(key: string, category: VariableCategory): void {
  const ok = category === 'env' ? ENV_KEY.test(key) : TERRAFORM_KEY.test(key);
  if (!ok) {
    throw new InputError(
      `data.attributes.key: "${key.slice(0, 60)}" is not a valid ${category === 'env' ? 'environment variable name (letters, digits, _)' : 'terraform variable name (letters, digits, _ and -, not starting with a digit)'}`,
      { code: 'validation_error' },
    );
  }
}

const notFound = (id: string) => new NotFoundError(`variable ${id} not found`, { code: 'variable_not_found' });
const taken = (key: string, category: string, ws: string) => new ConflictError(`workspace "${ws}" already has a ${category} variable ${key}`, { code: 'variable_exists' });
