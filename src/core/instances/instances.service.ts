import type { Sequelize } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { defined, translateConstraints } from '../db/unique.js';
import { NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import type { Instance, InstanceModel } from './instance.model.js';
import type { CreateInstanceInput, UpdateInstanceInput } from './instance.schemas.js';

/** Atlantis instances a tenant runs; counted against max_instances. */
export class InstancesService {
  constructor(private readonly deps: { sequelize: Sequelize; model: InstanceModel; tenants: TenantsService; audit: AuditLog }) {}

  async list(actor: Actor): Promise<Instance[]> {
    requirePermission(actor, 'instance:read');
    const rows = await this.deps.model.findAll({ where: { tenantId: actor.tenantId }, order: [['name', 'ASC']] });
    return rows.map((r) => r.get({ plain: true }));
  }

  async get(actor: Actor, id: string): Promise<Instance> {
    requirePermission(actor, 'instance:read');
    return (await this.find(actor, id)).get({ plain: true });
  }

  async create(actor: Actor, input: CreateInstanceInput): Promise<Instance> {
    requirePermission(actor, 'instance:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.deps.tenants.assertQuota(actor.tenantId, 'instances', transaction);
      const row = await translateConstraints(`instance "${input.name}"`, () =>
        this.deps.model.create({ tenantId: actor.tenantId, name: input.name, version: input.version, configJson: input.config_json }, { transaction }),
      );
      await this.deps.audit.record(actor, 'instance.create', { type: 'instance', id: row.getDataValue('id') }, { name: input.name }, { transaction });
      return row.get({ plain: true });
    });
  }

  async update(actor: Actor, id: string, input: UpdateInstanceInput): Promise<Instance> {
    requirePermission(actor, 'instance:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await this.find(actor, id);
      await translateConstraints(`instance "${input.name}"`, () =>
        row.update(defined({ name: input.name, status: input.status, version: input.version, configJson: input.config_json }), { transaction }),
      );
      await this.deps.audit.record(actor, 'instance.update', { type: 'instance', id }, { ...input }, { transaction });
      return row.get({ plain: true });
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'instance:write');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await this.find(actor, id);
      await row.destroy({ transaction });
      await this.deps.audit.record(actor, 'instance.delete', { type: 'instance', id }, { name: row.getDataValue('name') }, { transaction });
    });
  }

  private async find(actor: Actor, id: string) {
    const row = isUuid(id) ? await this.deps.model.findOne({ where: { id, tenantId: actor.tenantId } }) : null;
    if (!row) throw new NotFoundError(`instance ${id} not found`);
    return row;
  }
}
