import type { FakeGitHubState, FakePermission, FakeRepo } from './fake-github-state.js';
import { legacyPermission } from './fake-github-state.js';
import {
  commentJson, compareJson, fileJson, INSTALLATION_PERMISSIONS, installationJson, pullJson, reactionJson, reviewJson, statusJson, userJson,
} from './fake-github-shapes.js';

/** The endpoints the fake GitHub answers, each as GitHub does (status codes, bodies, Link pagination). */
export type Identity = { kind: 'user'; login: string; installationId?: number } | { kind: 'app'; appId: string; slug: string };

export interface FakeRequest {
  state: FakeGitHubState;
  base: string;
  method: string;
  path: string;
  query: URLSearchParams;
  params: string[];
  body: any;
  identity: Identity;
}

export interface FakeReply { status: number; body?: unknown; headers?: Record<string, string> }

export interface Route {
  method: 'GET' | 'POST' | 'PATCH';
  pattern: RegExp;
  /** token: a PAT or an installation token; jwt: the App's own JWT */
  auth: 'token' | 'jwt';
  docs: string;
  handle(req: FakeRequest, docs: string): FakeReply;
}

/** Thrown by a handler to answer with a GitHub error body. */
export class GitHubHttpError extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(String(body.message));
  }
}

export function notFound(docs = 'https://docs.github.com/rest'): GitHubHttpError {
  return new GitHubHttpError(404, { message: 'Not Found', documentation_url: docs, status: '404' });
}

export function validationFailed(docs: string, errors: Record<string, unknown>[]): GitHubHttpError {
  return new GitHubHttpError(422, { message: 'Validation Failed', errors, documentation_url: docs, status: '422' });
}

const REPO = '/repos/([^/]+)/([^/]+)';
const D = 'https://docs.github.com/rest';
const REACTIONS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'];
const STATES = ['error', 'failure', 'pending', 'success'];
const MAX_BODY = 65_536;

export const routes: Route[] = [
  route('POST', `${REPO}/issues/(\\d+)/comments`, `${D}/issues/comments#create-an-issue-comment`, createComment),
  route('GET', `${REPO}/issues/(\\d+)/comments`, `${D}/issues/comments#list-issue-comments`, (req, docs) => {
    const { repo, pr } = pullFor(req, docs);
    return paginate(req, req.state.comments.filter((c) => c.repo === repo.fullName && c.issue === pr.number).map((c) => commentJson(req.base, c)));
  }),
  route('POST', `${REPO}/issues/comments/(\\d+)/reactions`, `${D}/reactions/reactions#create-reaction-for-an-issue-comment`, createReaction),
  route('POST', `${REPO}/statuses/([^/]+)`, `${D}/commits/statuses#create-a-commit-status`, createStatus),
  route('GET', `${REPO}/commits/(.+)/statuses`, `${D}/commits/statuses#list-commit-statuses-for-a-reference`, (req, docs) => {
    const repo = repoFor(req, docs);
    const ref = req.params[2];
    const sha = [...repo.pulls.values()].find((p) => p.headRef === ref)?.headSha ?? ref;
    const list = req.state.statuses.filter((s) => s.repo === repo.fullName && s.sha === sha).reverse();
    return paginate(req, list.map((s) => statusJson(req.base, s)));
  }),
  route('GET', `${REPO}/pulls/(\\d+)`, `${D}/pulls/pulls#get-a-pull-request`, (req, docs) => {
    const { repo, pr } = pullFor(req, docs);
    const computing = pr.mergeableNullReads > 0 && pr.state === 'open';
    if (computing) pr.mergeableNullReads--;
    return { status: 200, body: pullJson(req.base, repo, pr, computing ? null : pr.mergeable) };
  }),
  route('GET', `${REPO}/pulls/(\\d+)/reviews`, `${D}/pulls/reviews#list-reviews-for-a-pull-request`, (req, docs) => {
    const { repo, pr } = pullFor(req, docs);
    return paginate(req, pr.reviews.map((r) => reviewJson(req.base, repo, pr, r)));
  }),
  route('GET', `${REPO}/pulls/(\\d+)/files`, `${D}/pulls/pulls#list-pull-requests-files`, (req, docs) => {
    const { repo, pr } = pullFor(req, docs);
    return paginate(req, pr.files.map((f) => fileJson(req.base, repo, pr, f)));
  }),
  route('GET', `${REPO}/collaborators/([^/]+)/permission`, `${D}/collaborators/collaborators#get-repository-permissions-for-a-user`, (req, docs) => {
    const repo = repoFor(req, docs);
    const permission: FakePermission | undefined = repo.permissions.get(req.params[2].toLowerCase());
    if (!permission) throw notFound(docs);
    const body = { permission: legacyPermission(permission), role_name: permission, user: userJson(req.base, req.params[2]) };
    return { status: 200, body };
  }),
  route('GET', `${REPO}/compare/(.+)`, `${D}/commits/commits#compare-two-commits`, compare),
  route('GET', `${REPO}/installation`, `${D}/apps/apps#get-a-repository-installation-for-the-authenticated-app`, (req, docs) => {
    const repo = req.state.repo(`${req.params[0]}/${req.params[1]}`);
    const identity = req.identity as Extract<Identity, { kind: 'app' }>;
    if (!repo?.installationId || req.state.installations.get(repo.installationId) !== identity.appId) throw notFound(docs);
    return { status: 200, body: installationJson(req.base, repo, identity.appId, identity.slug) };
  }, 'jwt'),
  route('POST', '/app/installations/(\\d+)/access_tokens', `${D}/apps/apps#create-an-installation-access-token-for-an-app`, (req, docs) => {
    const id = Number(req.params[0]);
    if (req.state.installations.get(id) !== (req.identity as { appId?: string }).appId) throw notFound(docs);
    const { token, expiresAt } = req.state.mintInstallationToken(id);
    return { status: 201, body: { token, expires_at: expiresAt, permissions: INSTALLATION_PERMISSIONS, repository_selection: 'selected' } };
  }, 'jwt'),
];

export function route(method: Route['method'], path: string, docs: string, handle: Route['handle'], auth: Route['auth'] = 'token'): Route {
  return { method, pattern: new RegExp(`^${path}$`), auth, docs, handle };
}

function createComment(req: FakeRequest, docs: string): FakeReply {
  const { repo, pr } = pullFor(req, docs);
  const body = req.body?.body;
  if (typeof body !== 'string' || body === '') throw validationFailed(docs, [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
  // GitHub counts characters, not UTF-16 code units.
  if ([...body].length > MAX_BODY) {
    throw validationFailed(docs, [{ resource: 'IssueComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${MAX_BODY} characters)` }]);
  }
  const comment = { id: req.state.nextId(), repo: repo.fullName, issue: pr.number, body, user: login(req), createdAt: req.state.now() };
  req.state.comments.push(comment);
  return { status: 201, body: commentJson(req.base, comment), headers: { location: commentJson(req.base, comment).url } };
}

function createReaction(req: FakeRequest, docs: string): FakeReply {
  const repo = repoFor(req, docs);
  const commentId = Number(req.params[2]);
  if (!req.state.comments.some((c) => c.id === commentId && c.repo === repo.fullName)) throw notFound(docs);
  const content = req.body?.content;
  if (!REACTIONS.includes(content)) {
    throw validationFailed(docs, [{ resource: 'Reaction', code: 'custom', field: 'content', message: 'content is not included in the list' }]);
  }
  const user = login(req);
  const existing = req.state.reactions.find((r) => r.commentId === commentId && r.content === content && r.user === user);
  if (existing) return { status: 200, body: reactionJson(req.base, existing) };
  const reaction = { id: req.state.nextId(), commentId, content, user, createdAt: req.state.now() };
  req.state.reactions.push(reaction);
  return { status: 201, body: reactionJson(req.base, reaction) };
}

function createStatus(req: FakeRequest, docs: string): FakeReply {
  const repo = repoFor(req, docs);
  const { state, description = null, target_url = null, context = 'default' } = req.body ?? {};
  if (!STATES.includes(state)) throw validationFailed(docs, [{ resource: 'Status', code: 'custom', field: 'state', message: 'state is not included in the list' }]);
  if (typeof description === 'string' && description.length > 140) {
    throw validationFailed(docs, [{ resource: 'Status', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' }]);
  }
  const status = { id: req.state.nextId(), repo: repo.fullName, sha: req.params[2], state, context, description, targetUrl: target_url, creator: login(req), createdAt: req.state.now() };
  req.state.statuses.push(status);
  return { status: 201, body: statusJson(req.base, status) };
}

function compare(req: FakeRequest, docs: string): FakeReply {
  const repo = repoFor(req, docs);
  const basehead = req.params[2];
  const sep = basehead.indexOf('...');
  if (sep < 0) throw notFound(docs);
  const [base, head] = [basehead.slice(0, sep), basehead.slice(sep + 3)];
  const pr = [...repo.pulls.values()].find((p) => (p.headSha === head || p.headRef === head) && (p.baseRef === base || p.baseSha === base));
  const counts = repo.compares.get(`${base}...${head}`) ?? (pr ? { aheadBy: pr.aheadBy, behindBy: pr.behindBy } : undefined);
  if (!counts) throw notFound(docs);
  return { status: 200, body: compareJson(req.base, repo, basehead, counts) };
}

/** The repository, if it exists and the caller can see it (an installation token sees only its installation's repos). */
export function repoFor(req: FakeRequest, docs: string): FakeRepo {
  const repo = req.state.repo(`${req.params[0]}/${req.params[1]}`);
  if (!repo) throw notFound(docs);
  if (req.identity.kind === 'user' && req.identity.installationId !== undefined && repo.installationId !== req.identity.installationId) throw notFound(docs);
  return repo;
}

function pullFor(req: FakeRequest, docs: string) {
  const repo = repoFor(req, docs);
  const pr = repo.pulls.get(Number(req.params[2]));
  if (!pr) throw notFound(docs);
  return { repo, pr };
}

export function login(req: FakeRequest): string {
  return req.identity.kind === 'user' ? req.identity.login : `${req.identity.slug}[bot]`;
}

/** GitHub's page/per_page paging with a Link header (first, prev, next, last). */
export function paginate(req: FakeRequest, items: unknown[]): FakeReply {
  const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const q = new URLSearchParams(req.query);
    q.set('per_page', String(perPage));
    q.set('page', String(n));
    return `<${req.base}${req.path}?${q}>; rel="${rel}"`;
  };
  const links = [
    ...(page > 1 ? [link(page - 1, 'prev')] : []), ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ...(page > 1 ? [link(1, 'first')] : []),
  ];
  return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(', ') } : {} };
}
