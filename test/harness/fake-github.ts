import { randomBytes, type KeyObject } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { GitHubHttpError, notFound, routes, type FakeReply, type Identity, type Route } from './fake-github-routes.js';
import { gitRoutes } from './fake-github-git.js';
import { browseRoutes } from './fake-github-browse.js';
import { GIT_HTTP_PATH, serveGitHttp, type GitAccess } from './fake-github-git-http.js';
import {
  FakeGitHubState, type FakeComment, type FakeFile, type FakePermission, type FakePullRequest, type FakePullRequestInput,
  type FakeReaction, type FakeReviewState, type FakeStatus,
} from './fake-github-state.js';

const DOCS = 'https://docs.github.com/rest';

export type { FakeComment, FakeFile, FakePermission, FakePullRequest, FakePullRequestInput, FakeReaction, FakeReviewState, FakeStatus };

/**
 * A fake GitHub REST API on loopback (the only fake the testing doctrine allows: a SaaS we cannot
 * reach). It speaks GitHub's wire format for the calls the PR bot makes, checks credentials (PATs,
 * App JWTs verified with the App's public key, installation tokens it minted), answers GitHub's
 * error shapes, and records every call.
 */
export interface FakeCall {
  method: string;
  /** the path without the query string, as sent (percent-encoding kept) */
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: IncomingHttpHeaders;
  status: number;
}

export interface FakeFailure {
  method?: string;
  path: string | RegExp;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeGitHub {
  /** the API base URL (ATLANTAS_GH_API_URL) */
  url: string;
  /** a valid personal access token, acting as `atlantas-bot` */
  pat: string;
  calls: FakeCall[];
  addToken(token: string, login: string): void;
  /** registers a GitHub App whose JWTs are verified with `publicKey` */
  registerApp(app: { appId: string | number; publicKey: string | KeyObject; slug?: string }): void;
  /** installs the (only, or given) registered App on a repository */
  setInstallation(repo: string, installationId: number, appId?: string | number): void;
  /** `gitDir`: a real bare repository (createBareRepo().path) that the git data API and new pull requests act on */
  addRepo(repo: string, options?: { gitDir?: string }): void;
  /** the pull requests opened through the API (POST /repos/{owner}/{repo}/pulls), oldest first */
  pulls(repo: string): FakePullRequest[];
  setPullRequest(repo: string, pr: FakePullRequestInput): FakePullRequest;
  setPermission(repo: string, user: string, permission: FakePermission): void;
  addReview(repo: string, pr: number, review: { user: string; state: FakeReviewState; commitId?: string }): void;
  setChangedFiles(repo: string, pr: number, files: (string | FakeFile)[]): void;
  setCompare(repo: string, base: string, head: string, counts: { aheadBy: number; behindBy: number }): void;
  /** the next matching request fails with this status and body (GitHub's shape by default) */
  failNext(failure: FakeFailure): void;
  comments(repo: string, pr: number): FakeComment[];
  /** a comment a person wrote on GitHub (what an issue_comment webhook is about); returns its id */
  addUserComment(repo: string, pr: number, comment: { body: string; user: string; id?: number }): number;
  statuses(repo: string, sha: string): FakeStatus[];
  reactions(commentId: number): FakeReaction[];
  callsTo(method: string, path: string | RegExp): FakeCall[];
  /** clones and fetches over git's smart HTTP (`<url>/<owner>/<repo>.git`), with who authenticated each */
  gitAccesses: GitAccess[];
  close(): Promise<void>;
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const fake = new FakeGitHubServer();
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

class FakeGitHubServer implements FakeGitHub {
  url = '';
  readonly pat = `ghp_${randomBytes(18).toString('base64url')}`;
  readonly calls: FakeCall[] = [];
  readonly gitAccesses: GitAccess[] = [];
  readonly server = http.createServer((req, res) => {
    this.handle(req, res).catch((err) => reply(res, { status: 500, body: { message: `fake GitHub: ${(err as Error).message}` } }));
  });
  private readonly state = new FakeGitHubState();
  private readonly failures: FakeFailure[] = [];

  constructor() {
    this.state.pats.set(this.pat, 'atlantas-bot');
  }

  addToken(token: string, login: string): void {
    this.state.pats.set(token, login);
  }

  registerApp({ appId, publicKey, slug }: { appId: string | number; publicKey: string | KeyObject; slug?: string }): void {
    const pem = typeof publicKey === 'string' ? publicKey : (publicKey.export({ type: 'spki', format: 'pem' }) as string);
    this.state.apps.set(String(appId), { appId: String(appId), slug: slug ?? 'atlantas', publicKey: pem });
  }

  setInstallation(repo: string, installationId: number, appId?: string | number): void {
    const app = appId !== undefined ? String(appId) : [...this.state.apps.keys()][0];
    if (!app || !this.state.apps.has(app)) throw new Error('fake GitHub: registerApp before setInstallation');
    this.state.installations.set(installationId, app);
    this.state.ensureRepo(repo).installationId = installationId;
  }

  addRepo(repo: string, options: { gitDir?: string } = {}): void {
    const record = this.state.ensureRepo(repo);
    if (options.gitDir) record.gitDir = options.gitDir;
  }

  pulls(repo: string): FakePullRequest[] {
    return [...(this.state.repo(repo)?.pulls.values() ?? [])].sort((a, b) => a.number - b.number);
  }

  setPullRequest(repo: string, pr: FakePullRequestInput): FakePullRequest {
    return this.state.setPullRequest(repo, pr);
  }

  setPermission(repo: string, user: string, permission: FakePermission): void {
    this.state.ensureRepo(repo).permissions.set(user.toLowerCase(), permission);
  }

  addReview(repo: string, pr: number, review: { user: string; state: FakeReviewState; commitId?: string }): void {
    const pull = this.state.pull(repo, pr);
    pull.reviews.push({ id: this.state.nextId(), user: review.user, state: review.state, commitId: review.commitId ?? pull.headSha, submittedAt: this.state.now() });
  }

  setChangedFiles(repo: string, pr: number, files: (string | FakeFile)[]): void {
    this.state.pull(repo, pr).files = files.map((f) => (typeof f === 'string' ? { filename: f } : f));
  }

  setCompare(repo: string, base: string, head: string, counts: { aheadBy: number; behindBy: number }): void {
    this.state.ensureRepo(repo).compares.set(`${base}...${head}`, counts);
  }

  failNext(failure: FakeFailure): void {
    this.failures.push(failure);
  }

  addUserComment(repo: string, pr: number, comment: { body: string; user: string; id?: number }): number {
    const id = comment.id ?? this.state.nextId();
    this.state.comments.push({ id, repo: this.state.repo(repo)?.fullName ?? repo, issue: pr, body: comment.body, user: comment.user, createdAt: this.state.now() });
    return id;
  }

  comments(repo: string, pr: number): FakeComment[] {
    return this.state.comments.filter((c) => c.repo.toLowerCase() === repo.toLowerCase() && c.issue === pr);
  }

  statuses(repo: string, sha: string): FakeStatus[] {
    return this.state.statuses.filter((s) => s.repo.toLowerCase() === repo.toLowerCase() && s.sha === sha);
  }

  reactions(commentId: number): FakeReaction[] {
    return this.state.reactions.filter((r) => r.commentId === commentId);
  }

  callsTo(method: string, path: string | RegExp): FakeCall[] {
    return this.calls.filter((c) => c.method === method && matches(path, c.path));
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (GIT_HTTP_PATH.test(url.pathname)) return serveGitHttp(this.state, req, res, url, this.gitAccesses);
    const raw = await readBody(req);
    let body: unknown = raw || undefined;
    let result: FakeReply;
    try {
      body = raw ? JSON.parse(raw) : undefined;
      result = this.answer(req, url, body);
    } catch (err) {
      result = err instanceof GitHubHttpError ? { status: err.status, body: err.body }
        : err instanceof SyntaxError ? { status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' } }
        : { status: 500, body: { message: `fake GitHub: ${(err as Error).message}` } };
    }
    this.calls.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body, headers: req.headers, status: result.status });
    reply(res, result);
  }

  private answer(req: IncomingMessage, url: URL, body: unknown): FakeReply {
    const method = req.method ?? 'GET';
    const failure = this.failures.findIndex((f) => (!f.method || f.method === method) && matches(f.path, url.pathname));
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      return { status: f.status, body: f.body ?? { message: http.STATUS_CODES[f.status], documentation_url: DOCS, status: String(f.status) }, headers: f.headers };
    }
    for (const route of [...routes, ...gitRoutes, ...browseRoutes]) {
      const m = route.method === method ? route.pattern.exec(url.pathname) : null;
      if (!m) continue;
      const identity = authenticate(this.state, req.headers.authorization, route);
      const params = m.slice(1).map((p) => decodeURIComponent(p));
      const request = { state: this.state, base: this.url, method, path: url.pathname, query: url.searchParams, params, body, identity };
      return route.handle(request, route.docs);
    }
    throw notFound();
  }
}

/** Who is calling: a PAT's user, an installation (as `<slug>[bot]`), or the App itself (JWT routes). */
function authenticate(state: FakeGitHubState, header: string | undefined, route: Route): Identity {
  const unauthorized = (message: string) => new GitHubHttpError(401, { message, documentation_url: DOCS, status: '401' });
  if (!header) throw unauthorized('Requires authentication');
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header);
  if (!m) throw unauthorized('Bad credentials');
  const token = m[1];
  if (route.auth === 'jwt') return verifyAppJwt(state, token, unauthorized);
  const login = state.pats.get(token);
  if (login) return { kind: 'user', login };
  const installationId = state.installationTokens.get(token);
  if (installationId !== undefined) {
    const app = state.apps.get(state.installations.get(installationId)!)!;
    return { kind: 'user', login: `${app.slug}[bot]`, installationId };
  }
  throw unauthorized('Bad credentials');
}

function verifyAppJwt(state: FakeGitHubState, token: string, unauthorized: (m: string) => GitHubHttpError): Identity {
  const decoded = jwt.decode(token);
  const app = decoded && typeof decoded === 'object' ? state.apps.get(String(decoded.iss)) : undefined;
  if (!app) throw unauthorized('A JSON web token could not be decoded');
  let claims: jwt.JwtPayload;
  try {
    claims = jwt.verify(token, app.publicKey, { algorithms: ['RS256'] }) as jwt.JwtPayload;
  } catch {
    throw unauthorized('A JSON web token could not be decoded');
  }
  if (typeof claims.exp !== 'number' || claims.exp - Date.now() / 1000 > 600) {
    throw unauthorized("'Expiration time' claim ('exp') is too far in the future");
  }
  return { kind: 'app', appId: app.appId, slug: app.slug };
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, { status, body, headers }: FakeReply): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    ...headers,
  });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
