import { createHash } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import type { Octokit } from '@octokit/rest';
import type { GitHubAppApi, GitHubBranch, GitHubRepoSummary, GitHubTree, GitHubTreeEntry, InstallationCredentials } from '../../core/ports/github-apps.js';
import { NotFoundError } from '../../core/errors.js';
import { createOctokit, splitRepo, type ConnectionOptions } from './github-auth.js';
import { toDomainError } from './github-vcs-host.js';

/**
 * Tenants' own GitHub Apps over the REST API (github.com, GHES, or the tests' fake at
 * ATLANTAS_GH_API_URL). One Octokit per installation and key: `@octokit/auth-app` signs the App
 * JWT (RS256, iss = app id) to mint the installation token and caches that token until shortly
 * before it expires, so most calls cost no minting. Failures become domain errors naming the
 * call, never the key or a token.
 */
export class OctokitGitHubAppApi implements GitHubAppApi {
  private readonly clients = new Map<string, Octokit>();

  constructor(private readonly options: ConnectionOptions) {}

  /** The Octokit of one installation (the VCS host's routing uses it for tenants' repositories). */
  client(c: InstallationCredentials): Octokit {
    const key = `${c.appId}:${c.installationId}:${createHash('sha256').update(c.privateKey).digest('hex').slice(0, 16)}`;
    let client = this.clients.get(key);
    if (!client) {
      client = createOctokit(this.options, { authStrategy: createAppAuth, auth: { appId: c.appId, privateKey: c.privateKey, installationId: Number(c.installationId) } });
      this.clients.set(key, client);
    }
    return client;
  }

  installationToken(c: InstallationCredentials): Promise<string> {
    return this.call('installationToken', c, undefined, async (gh) => ((await gh.auth({ type: 'installation' })) as { token: string }).token);
  }

  repositories(c: InstallationCredentials): Promise<GitHubRepoSummary[]> {
    return this.call('listRepositories', c, undefined, async (gh) => {
      const repos = await gh.paginate(gh.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
      return repos.map(summary);
    });
  }

  repository(c: InstallationCredentials, repoFullName: string): Promise<GitHubRepoSummary> {
    return this.call('getRepository', c, repoFullName, async (gh) => summary((await gh.rest.repos.get(splitRepo(repoFullName))).data));
  }

  branches(c: InstallationCredentials, repoFullName: string): Promise<GitHubBranch[]> {
    return this.call('listBranches', c, repoFullName, async (gh) => {
      const branches = await gh.paginate(gh.rest.repos.listBranches, { ...splitRepo(repoFullName), per_page: 100 });
      return branches.map((b) => ({ name: b.name, sha: b.commit.sha, protected: b.protected }));
    });
  }

  tree(c: InstallationCredentials, repoFullName: string, ref: string): Promise<GitHubTree> {
    return this.call('getTree', c, repoFullName, async (gh) => {
      const { data } = await gh.rest.git.getTree({ ...splitRepo(repoFullName), tree_sha: ref, recursive: 'true' });
      const entries: GitHubTreeEntry[] = data.tree
        .filter((e) => e.path && (e.type === 'blob' || e.type === 'tree' || e.type === 'commit'))
        .map((e) => ({ path: e.path!, type: e.type as GitHubTreeEntry['type'], mode: e.mode ?? '', sha: e.sha ?? '', ...(e.size !== undefined ? { size: e.size } : {}) }));
      return { sha: data.sha, truncated: data.truncated ?? false, entries };
    }, `ref ${ref}`);
  }

  async blobText(c: InstallationCredentials, repoFullName: string, blobSha: string): Promise<string | null> {
    try {
      return await this.call('getBlob', c, repoFullName, async (gh) => {
        const { data } = await gh.rest.git.getBlob({ ...splitRepo(repoFullName), file_sha: blobSha });
        return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
      }, `blob ${blobSha}`);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  private async call<T>(name: string, c: InstallationCredentials, repoFullName: string | undefined, fn: (gh: Octokit) => Promise<T>, target?: string): Promise<T> {
    const what = `${name} for installation ${c.installationId}${repoFullName ? ` on ${repoFullName}` : ''}${target ? ` (${target})` : ''}`;
    try {
      return await fn(this.client(c));
    } catch (err) {
      const mapped = toDomainError(err, what, 'installation');
      this.options.log.child({ call: name, installationId: c.installationId, repo: repoFullName, code: mapped.code }).warn(mapped.message);
      throw mapped;
    }
  }
}

function summary(r: { full_name: string; private: boolean; default_branch?: string; html_url: string }): GitHubRepoSummary {
  return { fullName: r.full_name, private: r.private, defaultBranch: r.default_branch ?? 'main', htmlUrl: r.html_url };
}
