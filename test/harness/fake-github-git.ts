import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitHubHttpError, login, notFound, paginate, repoFor, route, validationFailed, type FakeRequest, type Route } from './fake-github-routes.js';
import type { FakeRepo } from './fake-github-state.js';
import { pullJson } from './fake-github-shapes.js';

/**
 * The fake GitHub's git data API and pull request creation, acting on the real bare repository
 * the test registered (`addRepo(repo, { gitDir })`): blobs, trees and commits are real git
 * objects and refs real refs, so a branch a bot pushes this way can be cloned and planned.
 */
const D = 'https://docs.github.com/rest';
const REPO = '/repos/([^/]+)/([^/]+)';

export const gitRoutes: Route[] = [
  route('GET', `${REPO}/git/commits/([0-9a-f]{40})`, `${D}/git/commits#get-a-commit-object`, (req, docs) => {
    const { repo, git } = gitFor(req, docs);
    const sha = req.params[2];
    if (!objectExists(git, `${sha}^{commit}`)) throw notFound(docs);
    return { status: 200, body: commitJson(req.base, repo, git, sha) };
  }),
  route('POST', `${REPO}/git/trees`, `${D}/git/trees#create-a-tree`, (req, docs) => {
    const { repo, git } = gitFor(req, docs);
    const { base_tree: baseTree, tree } = req.body ?? {};
    if (!Array.isArray(tree)) throw validationFailed(docs, [{ resource: 'Tree', code: 'missing_field', field: 'tree' }]);
    const index = mkdtempSync(path.join(tmpdir(), 'fake-gh-index-'));
    try {
      const env = { GIT_INDEX_FILE: path.join(index, 'index') };
      if (baseTree) git(['read-tree', baseTree], { env });
      for (const entry of tree) {
        if (typeof entry?.path !== 'string' || typeof entry.content !== 'string') throw validationFailed(docs, [{ resource: 'Tree', code: 'custom', field: 'tree', message: 'each entry needs path and content' }]);
        const blob = git(['hash-object', '-w', '--stdin'], { input: entry.content });
        git(['update-index', '--add', '--cacheinfo', `${entry.mode ?? '100644'},${blob},${entry.path}`], { env });
      }
      const sha = git(['write-tree'], { env });
      return { status: 201, body: { sha, url: `${req.base}/repos/${repo.fullName}/git/trees/${sha}`, truncated: false, tree: [] } };
    } finally {
      rmSync(index, { recursive: true, force: true });
    }
  }),
  route('POST', `${REPO}/git/commits`, `${D}/git/commits#create-a-commit`, (req, docs) => {
    const { repo, git } = gitFor(req, docs);
    const { message, tree, parents = [] } = req.body ?? {};
    if (typeof message !== 'string' || typeof tree !== 'string') throw validationFailed(docs, [{ resource: 'Commit', code: 'missing_field', field: typeof message !== 'string' ? 'message' : 'tree' }]);
    const who = login(req);
    const env = { GIT_AUTHOR_NAME: who, GIT_AUTHOR_EMAIL: `${who}@users.noreply.github.com`, GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com' };
    const sha = git(['commit-tree', tree, ...parents.flatMap((p: string) => ['-p', p]), '-m', message], { env });
    return { status: 201, body: commitJson(req.base, repo, git, sha) };
  }),
  route('POST', `${REPO}/git/refs`, `${D}/git/refs#create-a-reference`, (req, docs) => {
    const { repo, git } = gitFor(req, docs);
    const { ref, sha } = req.body ?? {};
    if (typeof ref !== 'string' || !ref.startsWith('refs/') || typeof sha !== 'string') throw validationFailed(docs, [{ resource: 'Reference', code: 'invalid', field: 'ref' }]);
    if (objectExists(git, ref)) throw new GitHubHttpError(422, { message: 'Reference already exists', documentation_url: docs, status: '422' });
    git(['update-ref', ref, sha]);
    return { status: 201, body: refJson(req.base, repo, ref, sha) };
  }),
  route('PATCH', `${REPO}/git/refs/(.+)`, `${D}/git/refs#update-a-reference`, (req, docs) => {
    const { repo, git } = gitFor(req, docs);
    const ref = `refs/${req.params[2]}`;
    const { sha, force = false } = req.body ?? {};
    if (!objectExists(git, ref)) throw new GitHubHttpError(422, { message: 'Reference does not exist', documentation_url: docs, status: '422' });
    const current = git(['rev-parse', ref]);
    if (!force && !isAncestor(git, current, sha)) throw new GitHubHttpError(422, { message: 'Update is not a fast forward', documentation_url: docs, status: '422' });
    git(['update-ref', ref, sha]);
    return { status: 200, body: refJson(req.base, repo, ref, sha) };
  }),
  route('GET', `${REPO}/pulls`, `${D}/pulls/pulls#list-pull-requests`, (req, docs) => {
    const repo = repoFor(req, docs);
    const state = req.query.get('state') ?? 'open';
    const head = req.query.get('head');
    const owner = repo.fullName.split('/')[0];
    const pulls = [...repo.pulls.values()]
      .filter((p) => state === 'all' || p.state === state)
      .filter((p) => !head || head.toLowerCase() === `${owner}:${p.headRef}`.toLowerCase())
      .sort((a, b) => b.number - a.number);
    return paginate(req, pulls.map((p) => pullJson(req.base, repo, p, p.mergeable)));
  }),
  route('POST', `${REPO}/pulls`, `${D}/pulls/pulls#create-a-pull-request`, (req, docs) => {
    const { repo, git } = gitFor(req, docs);
    const { head, base, title, body = null } = req.body ?? {};
    if (typeof title !== 'string' || !title) throw validationFailed(docs, [{ resource: 'PullRequest', code: 'missing_field', field: 'title' }]);
    const headRef = String(head ?? '').replace(/^[^:]+:/, '');
    if (!objectExists(git, `refs/heads/${headRef}`)) throw validationFailed(docs, [{ resource: 'PullRequest', code: 'invalid', field: 'head' }]);
    if (!objectExists(git, `refs/heads/${base}`)) throw validationFailed(docs, [{ resource: 'PullRequest', code: 'invalid', field: 'base' }]);
    const open = [...repo.pulls.values()].find((p) => p.state === 'open' && p.headRef === headRef && p.baseRef === base);
    if (open) throw validationFailed(docs, [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.fullName.split('/')[0]}:${headRef}.` }]);
    const number = Math.max(0, ...repo.pulls.keys()) + 1;
    const pr = req.state.setPullRequest(repo.fullName, {
      number, title, body, headRef, baseRef: base, headSha: git(['rev-parse', `refs/heads/${headRef}`]), baseSha: git(['rev-parse', `refs/heads/${base}`]), author: login(req),
    });
    return { status: 201, body: pullJson(req.base, repo, pr, null) };
  }),
];

type Git = (args: string[], options?: { env?: Record<string, string>; input?: string }) => string;

function gitFor(req: FakeRequest, docs: string): { repo: FakeRepo; git: Git } {
  const repo = repoFor(req, docs);
  if (!repo.gitDir) throw new Error(`fake GitHub: ${repo.fullName} has no git repository; addRepo(repo, { gitDir })`);
  const git: Git = (args, options = {}) =>
    execFileSync('git', args, { cwd: repo.gitDir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', ...options.env }, input: options.input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
  return { repo, git };
}

function objectExists(git: Git, rev: string): boolean {
  try {
    git(['rev-parse', '--verify', '--quiet', rev]);
    return true;
  } catch {
    return false;
  }
}

function isAncestor(git: Git, ancestor: string, sha: string): boolean {
  try {
    git(['merge-base', '--is-ancestor', ancestor, sha]);
    return true;
  } catch {
    return false;
  }
}

function commitJson(base: string, repo: FakeRepo, git: Git, sha: string) {
  const text = git(['cat-file', 'commit', sha]);
  const [headers, ...message] = text.split('\n\n');
  const field = (name: string) => headers.split('\n').filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1));
  return {
    sha, url: `${base}/repos/${repo.fullName}/git/commits/${sha}`, message: message.join('\n\n'),
    tree: { sha: field('tree')[0], url: `${base}/repos/${repo.fullName}/git/trees/${field('tree')[0]}` },
    parents: field('parent').map((p) => ({ sha: p, url: `${base}/repos/${repo.fullName}/git/commits/${p}` })),
  };
}

function refJson(base: string, repo: FakeRepo, ref: string, sha: string) {
  return { ref, url: `${base}/repos/${repo.fullName}/git/${ref}`, object: { type: 'commit', sha, url: `${base}/repos/${repo.fullName}/git/commits/${sha}` } };
}
