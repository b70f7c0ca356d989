import type { Sequelize, Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { defined, translateConstraints } from '../db/unique.js';
import { NotFoundError } from '../errors.js';
import type { InstanceRepository } from '../instances/instance.repository.js';
import type { CredentialAssignment } from '../projects/projects.service.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import type { Environment } from './environment.model.js';
import type { EnvironmentRepository } from './environment.repository.js';
import type { CreateEnvironmentInput, UpdateEnvironmentInput } from './environment.schemas.js';

/** Cloud environments (provider, region, workspace); counted against max_environments. */
export class EnvironmentsService {
  constructor(
    private readonly deps: { sequelize: Sequelize; repo: EnvironmentRepository; instances: InstanceRepository; tenants: TenantsService; audit: AuditLog; credentials: CredentialAssignment },
  ) {}

  async list(actor: Actor): Promise<Environment[]> {
    requirePermission(actor, 'environment:read');
    return this.deps.repo.list(actor.tenantId);
  }

  async get(actor: Actor, id: string): Promise<Environment> {
    requirePermission(actor, 'environment:read');
    return this.find(actor, id);
  }

  async create(actor: Actor, input: CreateEnvironmentInput): Promise<Environment> {
    requirePermission(actor, 'environment:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.deps.tenants.assertQuota(actor.tenantId, 'environments', transaction);
      if (input.instance_id) await this.assertInstance(actor, input.instance_id, transaction);
      if (input.cloud_credential_id) await this.deps.credentials.assertAssignable(actor, input.cloud_credential_id, transaction, { cloud: input.cloud_provider, environment: input.name });
      const environment = await translateConstraints(`environment "${input.name}"`, () =>
        this.deps.repo.insert(
          {
            tenantId: actor.tenantId, name: input.name, cloudProvider: input.cloud_provider, region: input.region,
            terraformWorkspace: input.terraform_workspace, repositoryUrl: input.repository_url, instanceId: input.instance_id ?? null,
            cloudCredentialId: input.cloud_credential_id ?? null,
          },
          transaction,
        ),
      );
      await this.deps.audit.record(actor, 'environment.create', { type: 'environment', id: environment.id }, { name: input.name }, { transaction });
      return environment;
    });
  }

  async update(actor: Actor, id: string, input: UpdateEnvironmentInput): Promise<Environment> {
    requirePermission(actor, 'environment:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const before = await this.find(actor, id, transaction);
      if (input.instance_id) await this.assertInstance(actor, input.instance_id, transaction);
      const credentialChanged = input.cloud_credential_id !== undefined && input.cloud_credential_id !== before.cloudCredentialId;
      if (credentialChanged && !input.cloud_credential_id) requirePermission(actor, 'credential:manage');
      const credential = input.cloud_credential_id !== undefined ? input.cloud_credential_id : before.cloudCredentialId;
      if (credential && (credentialChanged || (input.cloud_provider && input.cloud_provider !== before.cloudProvider))) {
        // a new credential, or a new cloud for the one it has: the two must agree
        await this.deps.credentials.assertAssignable(actor, credential, transaction, { cloud: input.cloud_provider ?? before.cloudProvider, environment: input.name ?? before.name });
      }
      const changes = defined({
        name: input.name, cloudProvider: input.cloud_provider, region: input.region, terraformWorkspace: input.terraform_workspace,
        repositoryUrl: input.repository_url, instanceId: input.instance_id, cloudCredentialId: input.cloud_credential_id,
      });
      const environment = await translateConstraints(`environment "${input.name}"`, () => this.deps.repo.update(actor.tenantId, id, changes, transaction));
      if (!environment) throw notFound(id);
      await this.deps.audit.record(actor, 'environment.update', { type: 'environment', id }, { ...input }, { transaction });
      return environment;
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'environment:write');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const environment = await this.find(actor, id, transaction);
      await this.deps.repo.delete(actor.tenantId, environment.id, transaction);
      await this.deps.audit.record(actor, 'environment.delete', { type: 'environment', id }, { name: environment.name }, { transaction });
    });
  }

  private async find(actor: Actor, id: string, transaction?: Transaction): Promise<Environment> {
    const environment = await this.deps.repo.findById(actor.tenantId, id, transaction);
    if (!environment) throw notFound(id);
    return environment;
  }

  private async assertInstance(actor: Actor, instanceId: string, transaction: Transaction): Promise<void> {
    if (!(await this.deps.instances.exists(actor.tenantId, instanceId, transaction))) throw new NotFoundError(`instance ${instanceId} not found`);
  }
}

const notFound = (id: string) => new NotFoundError(`environment ${id} not found`);
