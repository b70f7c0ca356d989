import type { Actor } from '../actor.js';
import type { RunnerPool, RunnerToken } from '../runners/runner.repository.js';
import type { RunnersService } from '../runners/runners.service.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import type { TfeWorkspacesService } from './tfe-workspaces.service.js';

/** An agent pool as TFE shows it: a runner pool, and the organization it is seen from. */
export interface TfeAgentPoolView extends RunnerPool {
  organization: string;
}

/**
 * TFE agent pools ARE runner pools (issue 15 part 6): the same rows, the same rules (a tenant
 * admin makes a tenant's pool, another tenant's pool does not exist), seen through an
 * organization. Their authentication tokens are the pools' join tokens.
 */
export class TfeAgentPoolsService {
  constructor(private readonly deps: { runners: RunnersService; workspaces: TfeWorkspacesService; tenants: TenantsService }) {}

  async list(actor: Actor, org: string): Promise<TfeAgentPoolView[]> {
    const tenant = await this.deps.workspaces.organization(actor, org);
    return (await this.deps.runners.listPools(actor)).map((p) => ({ ...p, organization: tenant.slug }));
  }

  async create(actor: Actor, org: string, name: string): Promise<TfeAgentPoolView> {
    const tenant = await this.deps.workspaces.organization(actor, org);
    return { ...(await this.deps.runners.createPool(actor, { name })), organization: tenant.slug };
  }

  async get(actor: Actor, id: string): Promise<TfeAgentPoolView> {
    const pool = await this.deps.runners.pool(actor, id);
    return { ...pool, organization: (await this.deps.tenants.require(actor.tenantId)).slug };
  }

  delete(actor: Actor, id: string): Promise<void> {
    return this.deps.runners.deletePool(actor, id);
  }

  createToken(actor: Actor, poolId: string, description: string): Promise<{ token: RunnerToken; raw: string }> {
    return this.deps.runners.createToken(actor, poolId, description);
  }

  listTokens(actor: Actor, poolId: string): Promise<RunnerToken[]> {
    return this.deps.runners.listTokens(actor, poolId);
  }
}
