/** Where a repository is cloned from and with which credentials (GitHub, GHES, tests' insteadOf). */
export interface RepoSource {
  cloneUrl(repoFullName: string): string;
  cloneCredentials(repoFullName: string): Promise<{ username: string; password: string } | undefined>;
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

/** The GitHub web host for an API URL: api.github.com → github.com; GHES https://host/api/v3 → https://host. */
export function githubWebUrl(github: { apiUrl: string; webUrl?: string }): string {
  if (github.webUrl) return github.webUrl.replace(/\/+$/, '');
  const api = new URL(github.apiUrl);
  if (api.hostname === 'api.github.com') return 'https://github.com';
  return `${api.protocol}//${api.host}${api.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '')}`;
}
