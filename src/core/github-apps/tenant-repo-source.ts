import type { RepoSource } from '../ports/repo-source.js';

/**
 * Where a tenant's runs clone from, and with what: the installation token of the tenant's own
 * GitHub App when one of its installations reaches the repository; else, for the default tenant
 * only, the server-wide credentials (ATLANTAS_GH_*); else none (public repositories). The token
 * goes into the job's git credential, never into a URL or a log line.
 */
export class TenantRepoSource implements RepoSource {
  constructor(private readonly deps: {
    server: RepoSource;
    apps: { cloneToken(tenantId: string, repoFullName: string): Promise<string | null> };
    isDefaultTenant(tenantId: string): Promise<boolean>;
  }) {}

  cloneUrl(repoFullName: string): string {
    return this.deps.server.cloneUrl(repoFullName);
  }

  async cloneCredentials(repoFullName: string, tenantId: string): Promise<{ username: string; password: string } | undefined> {
    const token = await this.deps.apps.cloneToken(tenantId, repoFullName);
    if (token) return { username: 'x-access-token', password: token };
    return (await this.deps.isDefaultTenant(tenantId)) ? this.deps.server.cloneCredentials(repoFullName, tenantId) : undefined;
  }

  webUrl(repoFullName: string, prNumber?: number): string {
    return this.deps.server.webUrl(repoFullName, prNumber);
  }
}
