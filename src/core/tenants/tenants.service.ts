import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../../logger.js';
import { requirePermission, requirePlatformAdmin, type Actor } from '../actor.js';
import { systemActors } from '../auth/system-actors.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { CreateTenantInput, QuotasInput, UpdateTenantInput } from '../auth/auth.schemas.js';
import { generatePassword } from '../auth/password.js';
import type { PublicUser, UsersService } from '../auth/users.service.js';
import type { EnvironmentRepository } from '../environments/environment.repository.js';
import { inTransaction } from '../db/transaction.js';
import { ConflictError, NotAllowedError, NotFoundError, QuotaExceededError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { InstanceRepository } from '../instances/instance.repository.js';
import type { Tenant } from './tenant.model.js';
import type { TenantRepository } from './tenant.repository.js';
import { bytes, instanceRequests, millicores } from './quantities.js';

export interface TenantUsage {
  instancesUsed: number;
  instancesLimit: number;
  environmentsUsed: number;
  environmentsLimit: number;
  /** what the tenant's instances ask for (config_json cpu/memory × serverReplicas) against cpu_quota and memory_quota */
  cpuUsedMillicores: number;
  cpuLimitMillicores: number;
  memoryUsedBytes: number;
  memoryLimitBytes: number;
}

export type QuotaKind = 'instances' | 'environments';

interface Deps {
  sequelize: Sequelize;
  repo: TenantRepository;
  instances: InstanceRepository;
  environments: EnvironmentRepository;
  usersService: UsersService;
  audit: AuditLog;
  log: Logger;
  /** ATLANTAS_DEFAULT_TENANT: the slug of the operator's own tenant */
  defaultSlug?: string;
}

/** Tenants and their quotas. Several teams share one Atlantas; no row crosses a tenant. */
export class TenantsService {
  /** tenant id → whether it is the default tenant: a slug never changes, so each is read once */
  readonly #isDefault = new Map<string, boolean>();

  constructor(private readonly deps: Deps) {}

  /** Whether the tenant is the default one (ATLANTAS_DEFAULT_TENANT), the operator's own: asked on every run's path. */
  async isDefault(tenantId: string): Promise<boolean> {
    let known = this.#isDefault.get(tenantId);
    if (known === undefined) this.#isDefault.set(tenantId, (known = (await this.require(tenantId)).slug === this.deps.defaultSlug));
    return known;
  }

  async get(actor: Actor): Promise<Tenant> {
    requirePermission(actor, 'tenant:read');
    return this.require(actor.tenantId);
  }

  /**
   * A caller that names its tenant (AtlasAI's `x-tenant-id`, by id or slug) must name its own:
   * a credential of one tenant never acts in another, whatever the header says.
   */
  async assertNamedTenant(actor: Actor, idOrSlug: string): Promise<void> {
    if (idOrSlug === actor.tenantId) return;
    const named = await this.deps.repo.findBySlug(idOrSlug);
    if (named?.id === actor.tenantId) return;
    throw new NotAllowedError(`x-tenant-id "${idOrSlug}" is not the tenant of this credential; send your own tenant's id or slug, or leave the header out`, { code: 'tenant_mismatch' });
  }

  async usage(actor: Actor): Promise<TenantUsage> {
    const tenant = await this.get(actor);
    const [instances, environmentsUsed] = await Promise.all([
      this.deps.instances.list(tenant.id),
      this.deps.environments.count(tenant.id),
    ]);
    const requests = instances.map((i) => instanceRequests(i.configJson ?? {}));
    return {
      instancesUsed: instances.length, instancesLimit: tenant.maxInstances, environmentsUsed, environmentsLimit: tenant.maxEnvironments,
      cpuUsedMillicores: requests.reduce((n, r) => n + r.millicores, 0), cpuLimitMillicores: millicores(tenant.cpuQuota) ?? 0,
      memoryUsedBytes: requests.reduce((n, r) => n + r.bytes, 0), memoryLimitBytes: bytes(tenant.memoryQuota) ?? 0,
    };
  }

  /** Quotas are the platform's to set: a tenant admin cannot lift their own limits. */
  async updateQuotas(actor: Actor, input: QuotasInput): Promise<Tenant> {
    requirePlatformAdmin(actor);
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const before = await this.deps.repo.findById(actor.tenantId, transaction, { forUpdate: true });
      if (!before) throw new NotFoundError('tenant not found');
      const tenant = await this.deps.repo.update(
        actor.tenantId,
        {
          maxInstances: input.max_instances ?? before.maxInstances,
          maxEnvironments: input.max_environments ?? before.maxEnvironments,
          maxIncidents: input.max_incidents ?? before.maxIncidents,
          cpuQuota: input.cpu_quota ?? before.cpuQuota,
          memoryQuota: input.memory_quota ?? before.memoryQuota,
        },
        transaction,
      );
      await this.deps.audit.record(actor, 'tenant.quotas', { type: 'tenant', id: actor.tenantId }, { ...input }, { transaction });
      return tenant;
    });
  }

  /** A platform admin renames a tenant or sets which repositories it may run. */
  async update(actor: Actor, tenantId: string, input: UpdateTenantInput): Promise<Tenant> {
    requirePlatformAdmin(actor);
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const before = isUuid(tenantId) ? await this.deps.repo.findById(tenantId, transaction, { forUpdate: true }) : null;
      if (!before) throw new NotFoundError(`tenant ${tenantId} not found`, { code: 'tenant_not_found' });
      const tenant = await this.deps.repo.update(tenantId, { name: input.name ?? before.name, repoAllowlist: input.repo_allowlist ?? before.repoAllowlist }, transaction);
      await this.deps.audit.record(actor, 'tenant.update', { type: 'tenant', id: tenantId }, { ...input }, { transaction, tenantId });
      return tenant;
    });
  }

  /**
   * Called inside the creating transaction: locks the tenant row so that concurrent creates
   * cannot both squeeze past the limit, then counts.
   */
  async assertQuota(tenantId: string, kind: QuotaKind, transaction: Transaction): Promise<void> {
    const tenant = await this.deps.repo.findById(tenantId, transaction, { forUpdate: true });
    if (!tenant) throw new NotFoundError('tenant not found');
    const limit = kind === 'instances' ? tenant.maxInstances : tenant.maxEnvironments;
    const used = kind === 'instances' ? await this.deps.instances.count(tenantId, transaction) : await this.deps.environments.count(tenantId, transaction);
    if (used >= limit) {
      throw new QuotaExceededError(
        `quota exceeded: this tenant may have at most ${limit} ${kind} and has ${used}; delete one or ask a platform admin to raise max_${kind}`,
        { code: 'quota_exceeded', details: { kind, limit, used } },
      );
    }
  }

  /** A platform admin creates a tenant with its own first admin. */
  async create(actor: Actor, input: CreateTenantInput): Promise<{ tenant: Tenant; admin: PublicUser }> {
    requirePlatformAdmin(actor);
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const tenant = await this.insertTenant(input.slug, input.name ?? input.slug, transaction, input);
      const admin = await this.deps.usersService.createUser(
        tenant.id,
        { email: input.admin_email, password: input.admin_password, name: 'Admin', role: 'admin' },
        { transaction },
      );
      await this.deps.audit.record(actor, 'tenant.create', { type: 'tenant', id: tenant.id }, { slug: tenant.slug, admin: admin.email }, { transaction, tenantId: tenant.id });
      return { tenant, admin };
    });
  }

  /**
   * First start: make the default tenant, and when no user exists anywhere, its first admin (also
   * the platform admin) from the configured credentials, or with a generated password that is
   * returned once for the caller to print.
   */
  async bootstrap(options: { slug: string; adminEmail?: string; adminPassword?: string }): Promise<{ tenant: Tenant; generatedPassword?: string; adminEmail?: string }> {
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      // Serialise concurrent first starts of several replicas.
      await this.deps.repo.lockBootstrap(transaction);
      const existing = await this.deps.repo.findBySlug(options.slug, transaction);
      const tenant = existing ?? (await this.insertTenant(options.slug, options.slug === 'default' ? 'Default' : options.slug, transaction));
      if (await this.deps.repo.anyUserExists(transaction)) return { tenant };
      const email = options.adminEmail ?? 'admin@atlantas.local';
      const generated = options.adminPassword ? undefined : generatePassword();
      const admin = await this.deps.usersService.createUser(
        tenant.id,
        { email, password: options.adminPassword ?? generated!, name: 'Admin', role: 'admin', isPlatformAdmin: true },
        { transaction },
      );
      const actor = systemActors.bootstrap(tenant.id);
      await this.deps.audit.record(actor, 'user.bootstrap_admin', { type: 'user', id: admin.id }, { email }, { transaction });
      return { tenant, generatedPassword: generated, adminEmail: email };
    });
  }

  async require(tenantId: string, transaction?: Transaction): Promise<Tenant> {
    const tenant = await this.deps.repo.findById(tenantId, transaction);
    if (!tenant) throw new NotFoundError('tenant not found');
    return tenant;
  }

  async findBySlug(slug: string): Promise<Tenant | null> {
    return this.deps.repo.findBySlug(slug);
  }

  private async insertTenant(slug: string, name: string, transaction: Transaction, quotas: Partial<CreateTenantInput> = {}): Promise<Tenant> {
    const tenant = await this.deps.repo.insert({ slug, name, maxInstances: quotas.max_instances, maxEnvironments: quotas.max_environments }, transaction);
    if (!tenant) throw new ConflictError(`a tenant with slug "${slug}" already exists`, { code: 'tenant_exists' });
    return tenant;
  }
}
