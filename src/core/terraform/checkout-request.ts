import { InputError } from '../errors.js';

/** What a run asks of WorkingCopies.checkout. */
export interface CheckoutRequest {
  tenantId: string;
  /** owner/repo */
  repoFullName: string;
  /** https://github.com/{owner}/{repo}.git or the GitHub Enterprise equivalent; never with credentials */
  cloneUrl: string;
  /** 'pr-12' | 'ref-main' | … */
  key: string;
  workspace: string;
  /** the exact commit (full sha); when absent, `ref` is resolved to its current sha */
  commitSha?: string;
  /** a branch name, `refs/heads/…`, `refs/pull/12/head` or another full ref */
  ref?: string;
  credentials?: { username: string; password: string };
  /** the holder only reads the files (no terraform in the copy): the next lease at this commit need not reset it */
  readOnly?: boolean;
  /**
   * The key of another copy of this repository (same tenant, workspace default) that may already
   * hold the commit: the copy a command read the repository in (resolveKey). A missing commit is
   * fetched from it, locally, before the remote is asked.
   */
  seedKey?: string;
}

/** The key of the copy a command reads the repository in (which projects, atlantis.yaml) before its runs use `key`. */
export function resolveKey(key: string): string {
  return `resolve-${key}`;
}

/** The git side of a request, validated. Pure. */
export interface FetchPlan {
  cloneUrl: string;
  sha?: string;
  /** refspecs for `git fetch origin …` */
  refspecs: string[];
  /** where the fetched `ref` lands locally, when a ref was given */
  localRef?: string;
  /** for messages: "refs/pull/7/head", "main" or the sha */
  label: string;
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const REF = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)(?!.*@\{)[A-Za-z0-9._/-]+$/;
const BRANCHES = '+refs/heads/*:refs/remotes/origin/*';

export function fetchPlan(req: CheckoutRequest): FetchPlan {
  const cloneUrl = checkCloneUrl(req.cloneUrl);
  const sha = req.commitSha === undefined ? undefined : checkSha(req.commitSha);
  if (req.ref === undefined) {
    if (!sha) throw new InputError('a checkout needs commitSha or ref; give at least one');
    return { cloneUrl, sha, refspecs: [BRANCHES], label: sha };
  }
  if (typeof req.ref !== 'string' || !REF.test(req.ref)) {
    throw new InputError(`ref "${String(req.ref).slice(0, 100)}" is invalid: expected a branch name or a full ref such as refs/pull/12/head`);
  }
  const branch = req.ref.startsWith('refs/heads/') ? req.ref.slice('refs/heads/'.length) : req.ref.startsWith('refs/') ? null : req.ref;
  if (branch !== null) {
    return { cloneUrl, sha, refspecs: [BRANCHES], localRef: `refs/remotes/origin/${branch}`, label: req.ref };
  }
  // Outside refs/remotes/origin/*: `fetch --prune` with the branch refspec would delete it otherwise.
  const localRef = `refs/atlantas/${req.ref.slice('refs/'.length)}`;
  return { cloneUrl, sha, refspecs: [BRANCHES, `+${req.ref}:${localRef}`], localRef, label: req.ref };
}

export function checkSha(sha: unknown): string {
  const lower = typeof sha === 'string' ? sha.toLowerCase() : '';
  if (!SHA.test(lower)) throw new InputError(`commit "${String(sha).slice(0, 80)}" is invalid: expected a full 40-character sha`);
  return lower;
}

/** Only http(s), and no credentials in the URL: they go through the environment. */
export function checkCloneUrl(cloneUrl: unknown): string {
  let url: URL;
  try {
    url = new URL(String(cloneUrl));
  } catch {
    throw new InputError('clone URL must be an absolute https URL such as https://github.com/owner/repo.git');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`clone URL must use https (got ${url.protocol}); redirect in tests with git's url.<base>.insteadOf`);
  }
  if (url.username || url.password) throw new InputError('clone URL must not carry credentials; pass credentials instead');
  return url.toString();
}

/**
 * Git config entries that send the credentials as an Authorization header to the clone URL's
 * host only, and the strings to redact from any error text.
 */
export function credentialConfig(cloneUrl: string, credentials?: { username: string; password: string }): {
  config: [string, string][];
  secrets: string[];
} {
  if (!credentials) return { config: [], secrets: [] };
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64');
  const origin = `${new URL(cloneUrl).origin}/`;
  return {
    config: [[`http.${origin}.extraHeader`, `Authorization: Basic ${basic}`]],
    secrets: [credentials.password, basic],
  };
}
