/**
 * GitHub as a tenant's own App sees it: installation tokens and the read-only browsing the
 * GitHub Apps API offers (repositories, branches, trees, files). Implemented at the edge with
 * `@octokit/auth-app` (`src/bot/github/github-app-api.ts`), which signs the App JWT with the
 * private key and caches each installation token until shortly before it expires. Core never
 * imports Octokit. Methods throw only domain errors (see vcs-host.ts for the mapping); messages
 * never contain a key or a token.
 */

/** What authenticates as one installation of an App; the key is opened by core only to hand it here. */
export interface InstallationCredentials {
  appId: string;
  installationId: string;
  privateKey: string;
}

export interface GitHubRepoSummary {
  fullName: string;
  private: boolean;
  defaultBranch: string;
  htmlUrl: string;
}

export interface GitHubBranch {
  name: string;
  sha: string;
  protected: boolean;
}

export interface GitHubTreeEntry {
  path: string;
  /** blob: a file; tree: a directory; commit: a submodule */
  type: 'blob' | 'tree' | 'commit';
  /** git's file mode: 100644, 100755, 120000 (a link), 040000, 160000 */
  mode: string;
  sha: string;
  size?: number;
}

export interface GitHubTree {
  sha: string;
  /** GitHub cut the listing short (very large repositories) */
  truncated: boolean;
  entries: GitHubTreeEntry[];
}

export interface GitHubAppApi {
  /** an installation token (cached until shortly before it expires): proves app id, key and installation together */
  installationToken(credentials: InstallationCredentials): Promise<string>;
  /** every repository the installation can reach (all pages) */
  repositories(credentials: InstallationCredentials): Promise<GitHubRepoSummary[]>;
  repository(credentials: InstallationCredentials, repoFullName: string): Promise<GitHubRepoSummary>;
  branches(credentials: InstallationCredentials, repoFullName: string): Promise<GitHubBranch[]>;
  /** the whole tree (recursive) at a branch, tag or commit */
  tree(credentials: InstallationCredentials, repoFullName: string, ref: string): Promise<GitHubTree>;
  /** a file's text at `ref` (by its blob sha), or null when it does not exist */
  blobText(credentials: InstallationCredentials, repoFullName: string, blobSha: string): Promise<string | null>;
}
