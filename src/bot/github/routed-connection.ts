import type { Octokit } from '@octokit/rest';
import { UnavailableError } from '../../core/errors.js';
import type { InstallationCredentials } from '../../core/ports/github-apps.js';
import type { GitHubConnection } from './github-auth.js';
import type { OctokitGitHubAppApi } from './github-app-api.js';

/**
 * The VCS host's credentials, per repository: a repository that a tenant's registered
 * installation reaches is talked to as that installation (its comments, statuses and reads come
 * from the tenant's own App); any other with the server-wide credentials (ATLANTAS_GH_*), which
 * serve the default tenant; with neither, the call is refused naming what to configure.
 */
export class RoutedConnection implements GitHubConnection {
  /** set by the composition root once the core exists (core/github-apps finds the installation) */
  resolve: (repoFullName: string) => Promise<InstallationCredentials | null> = async () => null;
  private readonly used = new Map<string, 'pat' | 'app' | 'installation'>();

  constructor(private readonly server: GitHubConnection | undefined, private readonly apps: OctokitGitHubAppApi) {}

  get mode(): 'pat' | 'app' {
    return this.server?.mode ?? 'app';
  }

  /** which credentials the last call on this repository used, for error messages */
  modeFor(repoFullName: string): 'pat' | 'app' | 'installation' {
    return this.used.get(repoFullName.toLowerCase()) ?? this.mode;
  }

  async client(repoFullName: string): Promise<Octokit> {
    const installation = await this.resolve(repoFullName);
    this.used.set(repoFullName.toLowerCase(), installation ? 'installation' : this.mode);
    if (installation) return this.apps.client(installation);
    return this.serverConnection(repoFullName).client(repoFullName);
  }

  async token(repoFullName: string): Promise<string> {
    const installation = await this.resolve(repoFullName);
    if (installation) return this.apps.installationToken(installation);
    return this.serverConnection(repoFullName).token(repoFullName);
  }

  private serverConnection(repoFullName: string): GitHubConnection {
    if (this.server) return this.server;
    throw new UnavailableError(
      `no GitHub credentials reach ${repoFullName}: register a GitHub App installation that reaches it (POST /api/v1/github/apps), or set ATLANTAS_GH_TOKEN or ATLANTAS_GH_APP_ID for the default tenant`,
      { code: 'github.no_credentials' },
    );
  }
}
