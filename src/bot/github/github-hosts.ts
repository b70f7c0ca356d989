import type { Logger } from '../../logger.js';
import { githubWebUrl } from '../../core/ports/repo-source.js';
import { connectGitHub, type GitHubConfig } from './github-auth.js';
import { OctokitGitHubAppApi } from './github-app-api.js';
import { GitHubVcsHost } from './github-vcs-host.js';
import { RoutedConnection } from './routed-connection.js';

export interface GitHubHosts {
  /** the PR host every front end and core use: each repository through the credentials that reach it */
  vcs: GitHubVcsHost;
  /** the server-wide credentials alone (the default tenant's clones); undefined when none are configured */
  server?: GitHubVcsHost;
  /** tenants' own Apps (the core's GitHubAppApi port) */
  apps: OctokitGitHubAppApi;
  /** attach core's installation lookup once the core exists */
  routing: RoutedConnection;
}

/** GitHub as the server talks to it: the server-wide credentials (ATLANTAS_GH_*) and tenants' registered Apps, over one API URL. */
export function connectGitHubHosts(config: GitHubConfig, log: Logger, timeoutMs = 15_000): GitHubHosts {
  const ghLog = log.child({ component: 'github' });
  const options = { apiUrl: config.apiUrl, log: ghLog, timeoutMs };
  const webUrl = githubWebUrl(config);
  const serverConnection = connectGitHub(config, options);
  const apps = new OctokitGitHubAppApi(options);
  const routing = new RoutedConnection(serverConnection, apps);
  return {
    vcs: new GitHubVcsHost(routing, ghLog, { webUrl }),
    server: serverConnection && new GitHubVcsHost(serverConnection, ghLog, { webUrl }),
    apps,
    routing,
  };
}
