import type { Sequelize, Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { defined, translateConstraints } from '../db/unique.js';
import { NotFoundError } from '../errors.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import type { Instance } from './instance.model.js';
import type { InstanceRepository } from './instance.repository.js';
import type { CreateInstanceInput, UpdateInstanceInput } from './instance.schemas.js';

/** Atlantis instances a tenant runs; counted against max_instances. */
export class InstancesService {
  constructor(private readonly deps: { sequelize: Sequelize; repo: InstanceRepository; tenants: TenantsService; audit: AuditLog }) {}

  async list(actor: Actor): Promise<Instance[]> {
    requirePermission(actor, 'instance:read');
    return this.deps.repo.list(actor.tenantId);
  }

  async get(actor: Actor, id: string): Promise<Instance> {
    requirePermission(actor, 'instance:read');
    return this.find(actor, id);
  }

  async create(actor: Actor, input: CreateInstanceInput): Promise<Instance> {
    requirePermission(actor, 'instance:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.deps.tenants.assertQuota(actor.tenantId, 'instances', transaction);
      const instance = await translateConstraints(`instance "${input.name}"`, () =>
        this.deps.repo.insert({ tenantId: actor.tenantId, name: input.name, version: input.version, configJson: input.config_json }, transaction),
      );
      await this.deps.audit.record(actor, 'instance.create', { type: 'instance', id: instance.id }, { name: input.name }, { transaction });
      return instance;
    });
  }

  async update(actor: Actor, id: string, input: UpdateInstanceInput): Promise<Instance> {
    requirePermission(actor, 'instance:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.find(actor, id, transaction);
      const changes = defined({ name: input.name, status: input.status, version: input.version, configJson: input.config_json });
      const instance = await translateConstraints(`instance "${input.name}"`, () => this.deps.repo.update(actor.tenantId, id, changes, transaction));
      if (!instance) throw notFound(id);
      await this.deps.audit.record(actor, 'instance.update', { type: 'instance', id }, { ...input }, { transaction });
      return instance;
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'instance:write');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const instance = await this.find(actor, id, transaction);
      await this.deps.repo.delete(actor.tenantId, instance.id, transaction);
      await this.deps.audit.record(actor, 'instance.delete', { type: 'instance', id }, { name: instance.name }, { transaction });
    });
  }

  private async find(actor: Actor, id: string, transaction?: Transaction): Promise<Instance> {
    const instance = await this.deps.repo.findById(actor.tenantId, id, transaction);
    if (!instance) throw notFound(id);
    return instance;
  }
}

const notFound = (id: string) => new NotFoundError(`instance ${id} not found`);
