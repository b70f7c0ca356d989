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
 * - a repository an installation of a tenant's own GitHub App reaches belongs to that tenant: it
 *   may run it, and no other tenant may, whatever its allowlist or whose credentials it has;
 * - otherwise the default tenant may run what the fence allows (with the server-wide credentials);
 * - any other tenant only what its `repo_allowlist` (set by a platform admin) names, empty = none.
 */
export class RepoPolicy {
  private readonly server: RepoPatterns;

  constructor(private readonly deps: {
    serverAllowlist: string[];
    defaultTenantSlug: string;
    tenant(tenantId: string): Promise<TenantRepos>;
    /** whose GitHub App installations reach the repository (core/github-apps); none when absent */
    installations?: { reach(tenantId: string, repoFullName: string): Promise<'own' | 'other' | 'none'> };
  }) {
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
    // The same words whether another tenant's installation has it or nobody allowed it: existence does not leak.
    const refused = `repository ${repo} is not allowed for tenant ${tenant.slug}: register a GitHub App installation that reaches it (POST /api/v1/github/apps), or a platform admin adds it to the tenant's repo_allowlist (PATCH /api/v1/tenants/{id})`;
    const reach = (await this.deps.installations?.reach(tenantId, repo)) ?? 'none';
    if (reach === 'own') return null;
    if (reach === 'other') return refused;
    if (tenant.slug === this.deps.defaultTenantSlug) return null;
    if (new RepoPatterns(tenant.repoAllowlist).matches(repo)) return null;
    return refused;
  }
}
