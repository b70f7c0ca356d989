/**
 * The VCS host as core sees it: comments, reactions, commit statuses, pull requests, reviews and
 * permissions. Implemented at the edge (`src/bot/github/github-vcs-host.ts`); core never imports
 * Octokit. Every method throws only domain errors from `../errors.ts`:
 * - the repository or pull request does not exist, or the credentials cannot see it → NotFoundError;
 * - the credentials are rejected (401) or GitHub is down, times out or rate-limits → UnavailableError;
 * - the credentials lack a permission (403) → NotAllowedError;
 * - GitHub refuses the input (422, e.g. a comment over 65 536 characters: split it first) → InputError.
 * Messages name the call and the repository, never a token.
 */

export interface PullRequestInfo {
  repoFullName: string;
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  headSha: string;
  headRef: string;
  /** the repository the head branch lives in: another one for a fork PR; null when it was deleted */
  headRepoFullName: string | null;
  baseRef: string;
  baseSha: string;
  authorLogin: string;
  htmlUrl: string;
  /** null when GitHub has not finished computing it, even after the bounded retries */
  mergeable: boolean | null;
  /** GitHub's mergeable_state: clean, blocked, behind, dirty, unstable, has_hooks, draft, unknown */
  mergeableState: string;
}

/** Ordered from most to least privileged; see `hasPermission`. */
export type RepoPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  state: CommitState;
  /** e.g. atlantis/plan, atlantis/apply */
  context: string;
  /** short; GitHub truncates at 140 characters */
  description: string;
  targetUrl?: string;
}

export type ReactionContent = 'eyes' | '+1' | 'rocket' | 'confused';

/** A change a bot proposes (the upgrade bot): files written on a branch, as one commit. */
export interface BranchCommit {
  /** the head branch, created or force-moved to the new commit */
  branch: string;
  /** the commit the change is made on (the default branch's head) */
  baseSha: string;
  message: string;
  /** whole new contents (UTF-8) by path from the repository root */
  files: { path: string; content: string }[];
}

export interface PullRequestRef {
  number: number;
  htmlUrl: string;
}

export interface VcsHost {
  createComment(repoFullName: string, prNumber: number, body: string): Promise<{ id: number; htmlUrl: string }>;
  /** idempotent: reacting twice with the same content is not an error */
  addReaction(repoFullName: string, commentId: number, content: ReactionContent): Promise<void>;
  setCommitStatus(repoFullName: string, sha: string, status: CommitStatus): Promise<void>;
  /** retries (bounded) while an open PR's mergeable is null, since GitHub computes it lazily */
  getPullRequest(repoFullName: string, prNumber: number): Promise<PullRequestInfo>;
  /**
   * True when some reviewer with write permission (write, maintain, admin) has, as their latest
   * deciding review, an APPROVED review of `headSha` (the PR's current head commit): not followed by
   * their CHANGES_REQUESTED or a dismissal, and not given on an earlier commit.
   */
  isApproved(repoFullName: string, prNumber: number, headSha: string): Promise<boolean>;
  /** the login's permission on the repository; a login GitHub does not know → 'none' */
  getPermission(repoFullName: string, login: string): Promise<RepoPermission>;
  /** every path the PR touches (all pages), including the old path of a renamed file */
  listChangedFiles(repoFullName: string, prNumber: number): Promise<string[]>;
  /** for `undiverged`: true when the base branch has commits the head lacks */
  compareDiverged(repoFullName: string, baseRef: string, headSha: string): Promise<boolean>;
  /** https://<web host>/<owner>/<repo>.git */
  cloneUrl(repoFullName: string): string;
  /** PAT: x-access-token/<token>; App: a valid installation token; undefined for anonymous access */
  cloneCredentials(repoFullName: string): Promise<{ username: string; password: string } | undefined>;
  /** a link to the repository, or to one of its pull requests */
  webUrl(repoFullName: string, prNumber?: number): string;
  /** the open pull request whose head is `headBranch` of this repository, or null */
  findOpenPullRequest(repoFullName: string, headBranch: string): Promise<PullRequestRef | null>;
  /** one new commit on `baseSha` with `files` changed, and `branch` pointing at it; returns its sha */
  commitToBranch(repoFullName: string, change: BranchCommit): Promise<{ sha: string }>;
  openPullRequest(repoFullName: string, pull: { head: string; base: string; title: string; body: string }): Promise<PullRequestRef>;
}

const RANK: Record<RepoPermission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** Whether `actual` is at least `required` (e.g. hasPermission('maintain', 'write') is true). */
export function hasPermission(actual: RepoPermission, required: RepoPermission): boolean {
  return RANK[actual] >= RANK[required];
}
