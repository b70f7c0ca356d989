import type { Sequelize, Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { defined, translateConstraints } from '../db/unique.js';
import { NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { InstanceModel } from '../instances/instance.model.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import type { Environment, EnvironmentModel } from './environment.model.js';
import type { CreateEnvironmentInput, UpdateEnvironmentInput } from './environment.schemas.js';

/** Cloud environments (provider, region, workspace); counted against max_environments. */
export class EnvironmentsService {
  constructor(
    private readonly deps: { sequelize: Sequelize; model: EnvironmentModel; instances: InstanceModel; tenants: TenantsService; audit: AuditLog },
  ) {}

  async list(actor: Actor): Promise<Environment[]> {
    requirePermission(actor, 'environment:read');
    const rows = await this.deps.model.findAll({ where: { tenantId: actor.tenantId }, order: [['name', 'ASC']] });
    return rows.map((r) => r.get({ plain: true }));
  }

  async get(actor: Actor, id: string): Promise<Environment> {
    requirePermission(actor, 'environment:read');
    return (await this.find(actor, id)).get({ plain: true });
  }

  async create(actor: Actor, input: CreateEnvironmentInput): Promise<Environment> {
    requirePermission(actor, 'environment:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.deps.tenants.assertQuota(actor.tenantId, 'environments', transaction);
      if (input.instance_id) await this.assertInstance(actor, input.instance_id, transaction);
      const row = await translateConstraints(`environment "${input.name}"`, () =>
        this.deps.model.create(
          {
            tenantId: actor.tenantId, name: input.name, cloudProvider: input.cloud_provider, region: input.region,
            terraformWorkspace: input.terraform_workspace, repositoryUrl: input.repository_url, instanceId: input.instance_id ?? null,
          },
          { transaction },
        ),
      );
      await this.deps.audit.record(actor, 'environment.create', { type: 'environment', id: row.getDataValue('id') }, { name: input.name }, { transaction });
      return row.get({ plain: true });
    });
  }

  async update(actor: Actor, id: string, input: UpdateEnvironmentInput): Promise<Environment> {
    requirePermission(actor, 'environment:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await this.find(actor, id, transaction);
      if (input.instance_id) await this.assertInstance(actor, input.instance_id, transaction);
      await translateConstraints(`environment "${input.name}"`, () =>
        row.update(
          defined({
            name: input.name, cloudProvider: input.cloud_provider, region: input.region, terraformWorkspace: input.terraform_workspace,
            repositoryUrl: input.repository_url, instanceId: input.instance_id,
          }),
          { transaction },
        ),
      );
      await this.deps.audit.record(actor, 'environment.update', { type: 'environment', id }, { ...input }, { transaction });
      return row.get({ plain: true });
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'environment:write');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await this.find(actor, id, transaction);
      await row.destroy({ transaction });
      await this.deps.audit.record(actor, 'environment.delete', { type: 'environment', id }, { name: row.getDataValue('name') }, { transaction });
    });
  }

  private async find(actor: Actor, id: string, transaction?: Transaction) {
    const row = isUuid(id) ? await this.deps.model.findOne({ where: { id, tenantId: actor.tenantId }, transaction }) : null;
    if (!row) throw new NotFoundError(`environment ${id} not found`);
    return row;
  }

  private async assertInstance(actor: Actor, instanceId: string, transaction: Transaction): Promise<void> {
    const found = await this.deps.instances.count({ where: { id: instanceId, tenantId: actor.tenantId }, transaction });
    if (!found) throw new NotFoundError(`instance ${instanceId} not found`);
  }
}
