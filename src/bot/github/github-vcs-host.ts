import type { Octokit } from '@octokit/rest';
import { DomainError, InputError, NotAllowedError, NotFoundError, UnavailableError } from '../../core/errors.js';
import { hasPermission, type BranchCommit, type CommitStatus, type PullRequestRef, type PullRequestInfo, type ReactionContent, type RepoPermission, type VcsHost } from '../../core/ports/vcs-host.js';
import type { Logger } from '../../logger.js';
import { githubWebUrl } from '../../core/ports/repo-source.js';
import { connectGitHub, splitRepo, type GitHubConfig, type GitHubConnection } from './github-auth.js';

export interface GitHubVcsHostOptions {
  /** per HTTP request; default 15 s */
  timeoutMs?: number;
  /** reads of a PR whose mergeable is still null, in all; default 5 */
  mergeableAttempts?: number;
  /** wait between those reads, growing linearly; default 1 s */
  mergeableDelayMs?: number;
}

const PERMISSIONS = new Set<RepoPermission>(['admin', 'maintain', 'write', 'triage', 'read', 'none']);

/** VcsHost over GitHub's REST API (github.com, GHES, or the tests' fake at ATLANTAS_GH_API_URL). */
export class GitHubVcsHost implements VcsHost {
  private readonly webBase: string;
  private readonly mergeableAttempts: number;
  private readonly mergeableDelayMs: number;

  constructor(
    private readonly connection: GitHubConnection,
    private readonly log: Logger,
    options: GitHubVcsHostOptions & { webUrl: string },
  ) {
    this.webBase = options.webUrl.replace(/\/+$/, '');
    this.mergeableAttempts = Math.max(1, options.mergeableAttempts ?? 5);
    this.mergeableDelayMs = options.mergeableDelayMs ?? 1000;
  }

  /** undefined when neither a PAT nor a GitHub App is configured. */
  static fromConfig(config: GitHubConfig, log: Logger, options: GitHubVcsHostOptions = {}): GitHubVcsHost | undefined {
    const ghLog = log.child({ component: 'github' });
    const connection = connectGitHub(config, { apiUrl: config.apiUrl, log: ghLog, timeoutMs: options.timeoutMs ?? 15_000 });
    if (!connection) return undefined;
    return new GitHubVcsHost(connection, ghLog, { ...options, webUrl: githubWebUrl(config) });
  }

  async createComment(repoFullName: string, prNumber: number, body: string): Promise<{ id: number; htmlUrl: string }> {
    const { data } = await this.call('createComment', repoFullName, (gh, r) =>
      gh.rest.issues.createComment({ ...r, issue_number: prNumber, body }), `#${prNumber}`);
    return { id: data.id, htmlUrl: data.html_url };
  }

  async addReaction(repoFullName: string, commentId: number, content: ReactionContent): Promise<void> {
    await this.call('addReaction', repoFullName, (gh, r) =>
      gh.rest.reactions.createForIssueComment({ ...r, comment_id: commentId, content }), `comment ${commentId}`);
  }

  async setCommitStatus(repoFullName: string, sha: string, status: CommitStatus): Promise<void> {
    await this.call('setCommitStatus', repoFullName, (gh, r) =>
      gh.rest.repos.createCommitStatus({
        ...r, sha, state: status.state, context: status.context,
        description: truncate(status.description, 140), target_url: status.targetUrl,
      }), `commit ${sha}`);
  }

  async getPullRequest(repoFullName: string, prNumber: number): Promise<PullRequestInfo> {
    for (let attempt = 1; ; attempt++) {
      const { data } = await this.call('getPullRequest', repoFullName, (gh, r) =>
        gh.rest.pulls.get({ ...r, pull_number: prNumber }), `#${prNumber}`);
      if (data.mergeable !== null || data.state !== 'open' || attempt >= this.mergeableAttempts) {
        return {
          repoFullName, number: data.number, state: data.state as 'open' | 'closed', merged: data.merged, draft: data.draft ?? false,
          headSha: data.head.sha, headRef: data.head.ref, baseRef: data.base.ref, baseSha: data.base.sha,
          headRepoFullName: data.head.repo?.full_name ?? null,
          authorLogin: data.user.login, htmlUrl: data.html_url, mergeable: data.mergeable, mergeableState: data.mergeable_state,
        };
      }
      await sleep(this.mergeableDelayMs * attempt); // GitHub computes mergeability in the background
    }
  }

  /**
   * Each reviewer's latest deciding review (APPROVED, CHANGES_REQUESTED, DISMISSED; comments neither
   * grant nor withdraw) counts only when it approves `headSha` itself (GitHub's `commit_id`: an
   * approval of an earlier push approved other code) and the reviewer may write to the repository.
   */
  async isApproved(repoFullName: string, prNumber: number, headSha: string): Promise<boolean> {
    const reviews = await this.call('isApproved', repoFullName, (gh, r) =>
      gh.paginate(gh.rest.pulls.listReviews, { ...r, pull_number: prNumber, per_page: 100 }), `#${prNumber}`);
    const latest = new Map<string, { login: string; state: string; commitId: string | null }>();
    for (const review of [...reviews].sort(bySubmission)) {
      if (!review.user || review.state === 'COMMENTED' || review.state === 'PENDING') continue;
      latest.set(review.user.login.toLowerCase(), { login: review.user.login, state: review.state, commitId: review.commit_id ?? null });
    }
    const approvers = [...latest.values()].filter((r) => r.state === 'APPROVED' && r.commitId === headSha).map((r) => r.login);
    for (const login of approvers) {
      if (hasPermission(await this.getPermission(repoFullName, login), 'write')) return true;
    }
    return false;
  }

  async getPermission(repoFullName: string, login: string): Promise<RepoPermission> {
    try {
      const { data } = await this.call('getPermission', repoFullName, (gh, r) =>
        gh.rest.repos.getCollaboratorPermissionLevel({ ...r, username: login }), `user ${login}`);
      // role_name distinguishes maintain and triage, which the legacy `permission` folds into write and read.
      const role = data.role_name as RepoPermission;
      return PERMISSIONS.has(role) ? role : (data.permission as RepoPermission);
    } catch (err) {
      if (err instanceof NotFoundError) return 'none';
      throw err;
    }
  }

  async listChangedFiles(repoFullName: string, prNumber: number): Promise<string[]> {
    const files = await this.call('listChangedFiles', repoFullName, (gh, r) =>
      gh.paginate(gh.rest.pulls.listFiles, { ...r, pull_number: prNumber, per_page: 100 }), `#${prNumber}`);
    const paths = new Set<string>();
    for (const file of files) {
      paths.add(file.filename);
      if (file.previous_filename) paths.add(file.previous_filename);
    }
    return [...paths];
  }

  async compareDiverged(repoFullName: string, baseRef: string, headSha: string): Promise<boolean> {
    const { data } = await this.call('compareDiverged', repoFullName, (gh, r) =>
      gh.rest.repos.compareCommitsWithBasehead({ ...r, basehead: `${baseRef}...${headSha}`, per_page: 1 }), `${baseRef}...${headSha}`);
    return data.behind_by > 0;
  }

  cloneUrl(repoFullName: string): string {
    splitRepo(repoFullName);
    return `${this.webBase}/${repoFullName}.git`;
  }

  async cloneCredentials(repoFullName: string): Promise<{ username: string; password: string }> {
    const password = await this.call('cloneCredentials', repoFullName, () => this.connection.token(repoFullName));
    return { username: 'x-access-token', password };
  }

  webUrl(repoFullName: string, prNumber?: number): string {
    splitRepo(repoFullName);
    return prNumber === undefined ? `${this.webBase}/${repoFullName}` : `${this.webBase}/${repoFullName}/pull/${prNumber}`;
  }

  async findOpenPullRequest(repoFullName: string, headBranch: string): Promise<PullRequestRef | null> {
    const { data } = await this.call('findOpenPullRequest', repoFullName, (gh, r) =>
      gh.rest.pulls.list({ ...r, state: 'open', head: `${r.owner}:${headBranch}`, per_page: 10 }), `head ${headBranch}`);
    const pull = data.find((p) => p.head.ref === headBranch);
    return pull ? { number: pull.number, htmlUrl: pull.html_url } : null;
  }

  /** Git data API: a tree on the base commit's tree, a commit, then the branch ref (created, or force-moved when it exists). */
  async commitToBranch(repoFullName: string, change: BranchCommit): Promise<{ sha: string }> {
    return this.call('commitToBranch', repoFullName, async (gh, r) => {
      const { data: base } = await gh.rest.git.getCommit({ ...r, commit_sha: change.baseSha });
      const { data: tree } = await gh.rest.git.createTree({
        ...r, base_tree: base.tree.sha, tree: change.files.map((f) => ({ path: f.path, mode: '100644' as const, type: 'blob' as const, content: f.content })),
      });
      const { data: commit } = await gh.rest.git.createCommit({ ...r, message: change.message, tree: tree.sha, parents: [change.baseSha] });
      try {
        await gh.rest.git.createRef({ ...r, ref: `refs/heads/${change.branch}`, sha: commit.sha });
      } catch (err) {
        if (httpStatus(err) !== 422) throw err; // "Reference already exists": move it
        await gh.rest.git.updateRef({ ...r, ref: `heads/${change.branch}`, sha: commit.sha, force: true });
      }
      return { sha: commit.sha };
    }, `branch ${change.branch}`);
  }

  async openPullRequest(repoFullName: string, pull: { head: string; base: string; title: string; body: string }): Promise<PullRequestRef> {
    const { data } = await this.call('openPullRequest', repoFullName, (gh, r) => gh.rest.pulls.create({ ...r, ...pull }), `${pull.head} → ${pull.base}`);
    return { number: data.number, htmlUrl: data.html_url };
  }

  /** Runs one GitHub call for a repository and turns its failure into a domain error naming the call. */
  private async call<T>(name: string, repoFullName: string, fn: (gh: Octokit, repo: { owner: string; repo: string }) => Promise<T>, target?: string): Promise<T> {
    const repo = splitRepo(repoFullName);
    const what = `${name} on ${repoFullName}${target ? ` (${target})` : ''}`;
    try {
      return await fn(await this.connection.client(repoFullName), repo);
    } catch (err) {
      const mapped = toDomainError(err, what, this.connection.modeFor?.(repoFullName) ?? this.connection.mode);
      const status = httpStatus(err);
      const line = { call: name, repo: repoFullName, status, code: mapped.code, ghMessage: githubMessage(err) };
      if (mapped instanceof NotFoundError) this.log.child(line).debug(mapped.message);
      else this.log.child(line).warn(mapped.message);
      throw mapped;
    }
  }
}

/** GitHub's answer → the domain error a caller can act on. Never copies request headers (the token lives there). */
export function toDomainError(err: unknown, what: string, mode: 'pat' | 'app' | 'installation'): DomainError {
  if (err instanceof DomainError) return err;
  const status = httpStatus(err);
  const gh = githubMessage(err);
  const detail = gh ? `: ${gh}` : '';
  const credentials = mode === 'pat' ? 'ATLANTAS_GH_TOKEN'
    : mode === 'app' ? 'the GitHub App credentials (ATLANTAS_GH_APP_ID and its key)'
    : "the registered GitHub App (its app_id, installation_id and private_key, POST /api/v1/github/apps)";
  if (status === 404) return new NotFoundError(`GitHub ${what}: not found, or not visible to Atlantas's credentials`, { code: 'github.not_found' });
  if (status === 401) return new UnavailableError(`GitHub ${what}: GitHub rejected the credentials${detail}; check ${credentials}`, { code: 'github.bad_credentials' });
  if (status === 403 && isRateLimited(err)) return new UnavailableError(`GitHub ${what}: rate limited${detail}; retry later`, { code: 'github.rate_limited' });
  if (status === 403) return new NotAllowedError(`GitHub ${what}: refused${detail}; grant Atlantas's credentials access to this repository`, { code: 'github.forbidden' });
  if (status === 422) return new InputError(`GitHub ${what}: refused the input${detail}`, { code: 'github.validation_failed' });
  if (status && status < 500) return new UnavailableError(`GitHub ${what}: HTTP ${status}${detail}`, { code: 'github.error' });
  const reason = isTimeout(err) ? 'timed out' : status ? `HTTP ${status}${detail}` : 'unreachable';
  return new UnavailableError(`GitHub ${what}: ${reason}`, { code: 'github.unavailable' });
}

interface ResponseLike { status?: number; response?: { data?: unknown; headers?: Record<string, string | undefined> }; name?: string; cause?: unknown }

/** The HTTP status GitHub answered with; undefined when no answer came (network failure, timeout). */
function httpStatus(err: unknown): number | undefined {
  const e = err as ResponseLike | undefined;
  return e?.response && typeof e.status === 'number' && e.status >= 400 ? e.status : undefined;
}

/** GitHub's own explanation: `message`, plus each validation error's `message` or `field code`. */
function githubMessage(err: unknown): string | undefined {
  const data = (err as ResponseLike | undefined)?.response?.data as { message?: unknown; errors?: unknown } | undefined;
  if (!data || typeof data !== 'object' || typeof data.message !== 'string') return undefined;
  const errors = Array.isArray(data.errors) ? data.errors : [];
  const reasons = errors.map((e: { message?: string; field?: string; code?: string } | string) =>
    typeof e === 'string' ? e : e.message ?? [e.field, e.code].filter(Boolean).join(' '));
  return truncate([data.message, ...reasons.filter(Boolean)].join('; '), 500);
}

function isRateLimited(err: unknown): boolean {
  const headers = (err as ResponseLike).response?.headers ?? {};
  return headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined || /rate limit/i.test(githubMessage(err) ?? '');
}

function isTimeout(err: unknown): boolean {
  for (let e = err as ResponseLike | undefined, depth = 0; e && depth < 5; e = e.cause as ResponseLike | undefined, depth++) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  }
  return false;
}

function bySubmission(a: { submitted_at?: string | null; id: number }, b: { submitted_at?: string | null; id: number }): number {
  return (a.submitted_at ?? '').localeCompare(b.submitted_at ?? '') || a.id - b.id;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
