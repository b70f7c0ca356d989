import { execFileSync } from 'node:child_process';
import { GitHubHttpError, notFound, paginate, repoFor, route, type FakeRequest, type Route } from './fake-github-routes.js';
import type { FakeRepo } from './fake-github-state.js';
import { repoJson } from './fake-github-shapes.js';

/**
 * What a GitHub App's installation token browses: the repositories of the installation, a
 * repository, its branches, its recursive git tree and blobs — read from the real bare
 * repository the test registered (`addRepo(repo, { gitDir })`), in GitHub's wire format.
 */
const D = 'https://docs.github.com/rest';
const REPO = '/repos/([^/]+)/([^/]+)';

export const browseRoutes: Route[] = [
  route('GET', '/installation/repositories', `${D}/apps/installations#list-repositories-accessible-to-the-app-installation`, (req, docs) => {
    const installationId = req.identity.kind === 'user' ? req.identity.installationId : undefined;
    if (installationId === undefined) throw new GitHubHttpError(403, { message: 'You must authenticate with an installation access token in order to list repositories for an installation.', documentation_url: docs, status: '403' });
    const repos = [...req.state.repos.values()].filter((r) => r.installationId === installationId).sort((a, b) => a.fullName.localeCompare(b.fullName));
    const page = paginate(req, repos.map((r) => repoJson(req.base, r)));
    return { ...page, body: { total_count: repos.length, repository_selection: 'selected', repositories: page.body } };
  }),
  route('GET', REPO, `${D}/repos/repos#get-a-repository`, (req, docs) => {
    const repo = repoFor(req, docs);
    return { status: 200, body: { ...repoJson(req.base, repo), default_branch: defaultBranch(repo) } };
  }),
  route('GET', `${REPO}/branches`, `${D}/branches/branches#list-branches`, (req, docs) => {
    const { repo, git } = gitOf(req, docs);
    const lines = git(['for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads']).split('\n').filter(Boolean);
    const branches = lines.map((l) => {
      const [name, sha] = l.split(' ');
      return { name, commit: { sha, url: `${req.base}/repos/${repo.fullName}/commits/${sha}` }, protected: false };
    });
    return paginate(req, branches);
  }),
  route('GET', `${REPO}/git/trees/(.+)`, `${D}/git/trees#get-a-tree`, (req, docs) => {
    const { repo, git } = gitOf(req, docs);
    const ref = req.params[2];
    let treeSha: string;
    try {
      treeSha = git(['rev-parse', '--verify', '--quiet', `${ref}^{tree}`]);
    } catch {
      throw notFound(docs);
    }
    const recursive = req.query.has('recursive');
    const out = git(['ls-tree', '-l', ...(recursive ? ['-r', '-t'] : []), treeSha]);
    const tree = out.split('\n').filter(Boolean).map((line) => {
      const [meta, path] = line.split('\t');
      const [mode, type, sha, size] = meta.split(/\s+/);
      return { path, mode, type, sha, ...(type === 'blob' ? { size: Number(size) } : {}), url: `${req.base}/repos/${repo.fullName}/git/${type}s/${sha}` };
    });
    return { status: 200, body: { sha: treeSha, url: `${req.base}/repos/${repo.fullName}/git/trees/${treeSha}`, tree, truncated: false } };
  }),
  route('GET', `${REPO}/git/blobs/([0-9a-f]{40})`, `${D}/git/blobs#get-a-blob`, (req, docs) => {
    const { repo, git } = gitOf(req, docs);
    const sha = req.params[2];
    let content: Buffer;
    try {
      if (git(['cat-file', '-t', sha]) !== 'blob') throw notFound(docs);
      content = execFileSync('git', ['cat-file', 'blob', sha], { cwd: repo.gitDir });
    } catch {
      throw notFound(docs);
    }
    return { status: 200, body: { sha, node_id: `B_${sha}`, size: content.length, url: `${req.base}/repos/${repo.fullName}/git/blobs/${sha}`, content: content.toString('base64'), encoding: 'base64' } };
  }),
];

function defaultBranch(repo: FakeRepo): string {
  if (!repo.gitDir) return 'main';
  try {
    return execFileSync('git', ['symbolic-ref', '--short', 'HEAD'], { cwd: repo.gitDir, encoding: 'utf8' }).trim();
  } catch {
    return 'main';
  }
}

function gitOf(req: FakeRequest, docs: string) {
  const repo = repoFor(req, docs);
  if (!repo.gitDir) throw new Error(`fake GitHub: ${repo.fullName} has no git repository; addRepo(repo, { gitDir })`);
  const git = (args: string[]) => execFileSync('git', args, { cwd: repo.gitDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return { repo, git };
}
