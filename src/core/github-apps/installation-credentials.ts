import type { GitHubAppApi, InstallationCredentials } from '../ports/github-apps.js';
import type { Encryptor } from '../secrets/encryption.js';
import { privateKeyAad, type GitHubAppRepository, type GitHubAppRow } from './github-app.repository.js';

/**
 * The only place a registered App's private key is opened: for the GitHubAppApi port to sign
 * with, and for a run's clone token. Not part of the Core front ends see; createCore hands it to
 * the tenant repo source and the composition root (the VCS host's routing).
 */
export class InstallationCredentialsStore {
  constructor(private readonly deps: { repo: GitHubAppRepository; encryptor: Encryptor; api?: GitHubAppApi }) {}

  of(row: GitHubAppRow): InstallationCredentials {
    return { appId: row.appId, installationId: row.installationId, privateKey: this.deps.encryptor.openString(row.privateKey, privateKeyAad(row.installationId)) };
  }

  /** An installation token of the tenant's own App for this repository (a run's git credential), or null. */
  async cloneToken(tenantId: string, repoFullName: string): Promise<string | null> {
    const row = await this.deps.repo.reaching(repoFullName, tenantId);
    return row && this.deps.api ? this.deps.api.installationToken(this.of(row)) : null;
  }

  /** The installation that reaches this repository, for the VCS host's calls on it (comments, statuses); null when none. */
  async reaching(repoFullName: string): Promise<InstallationCredentials | null> {
    const row = await this.deps.repo.reaching(repoFullName);
    return row ? this.of(row) : null;
  }
}
