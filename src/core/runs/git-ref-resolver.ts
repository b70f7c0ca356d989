import type { RepoSource } from '../ports/repo-source.js';
import { resolveRemoteRef } from '../terraform/remote-ref.js';
import type { RefResolver } from './plan-freshness.js';
import type { Run } from './run.model.js';

/** The commit a run's ref points at now, asked of the remote itself (`git ls-remote`). */
export class GitRefResolver implements RefResolver {
  constructor(private readonly deps: { repos: RepoSource; baseEnv: NodeJS.ProcessEnv }) {}

  async headOf(run: Run): Promise<string> {
    // A pull request's runs carry its head ref (refs/pull/N/head); others their branch or tag.
    const ref = run.ref || (run.prNumber ? `refs/pull/${run.prNumber}/head` : 'HEAD');
    const url = run.repoUrl || this.deps.repos.cloneUrl(run.repoFullName);
    return resolveRemoteRef(url, ref, await this.deps.repos.cloneCredentials(run.repoFullName, run.tenantId), { baseEnv: this.deps.baseEnv });
  }
}
