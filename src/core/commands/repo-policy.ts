import picomatch from 'picomatch';
import { NotAllowedError } from '../errors.js';

/** `owner/repo` patterns (`*` wildcards, case-insensitive); also accepts github.com URLs. */
export class RepoPatterns {
  private readonly matchers: ((s: string) => boolean)[];

  constructor(readonly patterns: string[]) {
    this.matchers = patterns.map((p) => picomatch(p.toLowerCase().replace(/^(https?:\/\/)?(www\.)?github\.com\//, ''), { dot: true }));
  }

  get empty(): boolean {
    return this.matchers.length === 0;
  }

  matches(repoFullName: string): boolean {
    const name = repoFullName.toLowerCase();
    return this.matchers.some((m) => m(name));
  }
}

interface TenantRepos {
  slug: string;
  repoAllowlist: string[];
}

/**
 * Which repositories a tenant may run, one rule for every surface:
 * - ATLANTAS_REPO_ALLOWLIST is the fence around the whole server (empty = every repository);
 * - the default tenant may run what the fence allows;
 * - any other tenant only what its `repo_allowlist` (set by a platform admin) names, empty = none,
 *   because until tenants bring their own GitHub credentials, the server's credentials serve all.
 */
export class RepoPolicy {
  private readonly server: RepoPatterns;

  constructor(private readonly deps: { serverAllowlist: string[]; defaultTenantSlug: string; tenant(tenantId: string): Promise<TenantRepos> }) {
    this.server = new RepoPatterns(deps.serverAllowlist);
  }

  async isAllowed(tenantId: string, repoFullName: string): Promise<boolean> {
    return (await this.refusal(tenantId, repoFullName)) === null;
  }

  async assertAllowed(tenantId: string, repoFullName: string): Promise<void> {
    const why = await this.refusal(tenantId, repoFullName);
    if (why) throw new NotAllowedError(why, { code: 'repo_not_allowed' });
  }

  private async refusal(tenantId: string, repo: string): Promise<string | null> {
    if (!this.server.empty && !this.server.matches(repo)) return `repository ${repo} is not in the allowlist (ATLANTAS_REPO_ALLOWLIST)`;
    const tenant = await this.deps.tenant(tenantId);
    if (tenant.slug === this.deps.defaultTenantSlug) return null;
    if (new RepoPatterns(tenant.repoAllowlist).matches(repo)) return null;
    return `repository ${repo} is not allowed for tenant ${tenant.slug}: a platform admin adds it to the tenant's repo_allowlist (PATCH /api/v1/tenants/{id})`;
  }
}
