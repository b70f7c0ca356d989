/** Where a repository is cloned from and with which credentials (GitHub, GHES, tests' insteadOf). */
export interface RepoSource {
  cloneUrl(repoFullName: string): string;
  /** for a run (or a read) of `tenantId`: each tenant clones with its own credentials (core/github-apps/tenant-repo-source.ts) */
  cloneCredentials(repoFullName: string, tenantId: string): Promise<{ username: string; password: string } | undefined>;
  /** a link to the repository or one of its pull requests */
  webUrl(repoFullName: string, prNumber?: number): string;
}

/** Public repositories on a GitHub host, without credentials (when no PAT or App is configured). */
export class AnonymousGitHubSource implements RepoSource {
  constructor(private readonly webBase = 'https://github.com') {}
  cloneUrl(repoFullName: string): string {
    return `${this.webBase}/${repoFullName}.git`;
  }
  async cloneCredentials(): Promise<undefined> {
    return undefined;
  }
  webUrl(repoFullName: string, prNumber?: number): string {
    return prNumber ? `${this.webBase}/${repoFullName}/pull/${prNumber}` : `${this.webBase}/${repoFullName}`;
  }
}

/**
 * The GitHub web host (links, clones) for its API URL, unless configured: https://api.github.com →
 * https://github.com, GHES https://host/api/v3 → https://host, https://api.X → https://X.
 */
export function githubWebUrl(github: { apiUrl: string; webUrl?: string }): string {
  if (github.webUrl) return github.webUrl.replace(/\/+$/, '');
  const url = new URL(github.apiUrl);
  const path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/api/v3')) return url.origin + path.slice(0, -'/api/v3'.length);
  if (url.hostname.startsWith('api.')) return `${url.protocol}//${url.host.slice('api.'.length)}${path}`;
  return url.origin + path;
}
