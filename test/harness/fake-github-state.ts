import { randomBytes } from 'node:crypto';

/**
 * What the fake GitHub knows: repositories, pull requests, comments, reactions, statuses, reviews,
 * permissions, App installations. Plain records; `fake-github-routes.ts` renders them in GitHub's
 * wire format and `fake-github.ts` exposes setup helpers over them.
 */
export type FakePermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';
export type FakeReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';

export interface FakePullRequestInput {
  number: number;
  state?: 'open' | 'closed';
  merged?: boolean;
  draft?: boolean;
  headSha?: string;
  headRef?: string;
  baseRef?: string;
  baseSha?: string;
  author?: string;
  title?: string;
  body?: string | null;
  mergeable?: boolean | null;
  mergeableState?: string;
  /** the first K reads of the PR answer `mergeable: null`, as while GitHub computes it */
  mergeableNullReads?: number;
  /** for compare base...head: commits the head has that the base lacks, and the reverse */
  aheadBy?: number;
  behindBy?: number;
  /** the repository the head branch lives in: another for a fork, null once the fork was deleted; default this one */
  headRepo?: string | null;
}

export type FakePullRequest = Required<FakePullRequestInput> & { createdAt: string; reviews: FakeReview[]; files: FakeFile[] };

export interface FakeFile {
  filename: string;
  status?: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  previous_filename?: string;
}

export interface FakeReview { id: number; user: string; state: FakeReviewState; commitId: string; submittedAt: string }
export interface FakeComment { id: number; repo: string; issue: number; body: string; user: string; createdAt: string }
export interface FakeReaction { id: number; commentId: number; content: string; user: string; createdAt: string }
export interface FakeStatus {
  id: number; repo: string; sha: string; state: string; context: string;
  description: string | null; targetUrl: string | null; creator: string; createdAt: string;
}

export interface FakeRepo {
  id: number;
  fullName: string;
  installationId?: number;
  pulls: Map<number, FakePullRequest>;
  permissions: Map<string, FakePermission>;
  compares: Map<string, { aheadBy: number; behindBy: number }>;
  /** the real bare repository behind the git data API (blobs, trees, commits, refs), when the test gave one */
  gitDir?: string;
}

export interface FakeAppRecord { appId: string; slug: string; publicKey: string }

export class FakeGitHubState {
  readonly repos = new Map<string, FakeRepo>();
  readonly comments: FakeComment[] = [];
  readonly reactions: FakeReaction[] = [];
  readonly statuses: FakeStatus[] = [];
  /** token → login, for PATs */
  readonly pats = new Map<string, string>();
  /** installation token → installation id */
  readonly installationTokens = new Map<string, number>();
  /** installation id → app id */
  readonly installations = new Map<number, string>();
  readonly apps = new Map<string, FakeAppRecord>();
  private seq = 1000;
  private readonly epoch = Math.floor(Date.now() / 1000) * 1000;

  nextId(): number {
    return ++this.seq;
  }

  /** monotonic timestamps, one second apart, so GitHub's ordering by time is deterministic */
  now(): string {
    return new Date(this.epoch + (this.seq - 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  repo(fullName: string): FakeRepo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  ensureRepo(fullName: string): FakeRepo {
    if (!/^[^/\s]+\/[^/\s]+$/.test(fullName)) throw new Error(`fake GitHub: "${fullName}" is not owner/repo`);
    let repo = this.repo(fullName);
    if (!repo) {
      repo = { id: this.nextId(), fullName, pulls: new Map(), permissions: new Map(), compares: new Map() };
      this.repos.set(fullName.toLowerCase(), repo);
    }
    return repo;
  }

  setPullRequest(fullName: string, input: FakePullRequestInput): FakePullRequest {
    const repo = this.ensureRepo(fullName);
    const existing = repo.pulls.get(input.number);
    const pr: FakePullRequest = {
      state: 'open', merged: false, draft: false, headSha: randomSha(), headRef: `feature-${input.number}`,
      baseRef: 'main', baseSha: randomSha(), author: 'octocat', title: `Pull request ${input.number}`, body: null,
      mergeable: true, mergeableState: 'clean', mergeableNullReads: 0, aheadBy: 1, behindBy: 0, headRepo: fullName,
      createdAt: this.now(), reviews: [], files: [],
      ...existing, ...stripUndefined(input), number: input.number,
    };
    repo.pulls.set(pr.number, pr);
    return pr;
  }

  pull(fullName: string, number: number): FakePullRequest {
    const pr = this.repo(fullName)?.pulls.get(number);
    if (!pr) throw new Error(`fake GitHub: no pull request ${fullName}#${number}; call setPullRequest first`);
    return pr;
  }

  mintInstallationToken(installationId: number): { token: string; expiresAt: string } {
    const token = `ghs_${randomBytes(18).toString('base64url')}`;
    this.installationTokens.set(token, installationId);
    return { token, expiresAt: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  }
}

export function randomSha(): string {
  return randomBytes(20).toString('hex');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The legacy `permission` field folds maintain into write and triage into read. */
export function legacyPermission(p: FakePermission): 'admin' | 'write' | 'read' | 'none' {
  return p === 'maintain' ? 'write' : p === 'triage' ? 'read' : p;
}
