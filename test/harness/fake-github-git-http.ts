import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { FakeGitHubState } from './fake-github-state.js';

/**
 * GitHub's git smart HTTP (clone and fetch) for the repositories registered with a real bare
 * repository (`addRepo(repo, { gitDir })`), served by git's own `git http-backend` as CGI. Like
 * GitHub, it wants HTTP Basic credentials: a PAT, or an installation token (as `x-access-token`)
 * of the installation that reaches the repository; anything else is 401 (public repos aside).
 */
export const GIT_HTTP_PATH = /^\/([^/]+)\/([^/]+?)\.git\/(info\/refs|git-upload-pack)$/;

export interface GitAccess {
  repo: string;
  /** who authenticated: a PAT's login, `installation:<id>`, or null (refused) */
  as: string | null;
  path: string;
}

export async function serveGitHttp(state: FakeGitHubState, req: IncomingMessage, res: ServerResponse, url: URL, accesses: GitAccess[]): Promise<void> {
  const m = GIT_HTTP_PATH.exec(url.pathname)!;
  const repo = state.repo(`${m[1]}/${m[2]}`);
  const as = repo ? whoIs(state, req.headers.authorization, repo.installationId) : null;
  accesses.push({ repo: `${m[1]}/${m[2]}`, as, path: url.pathname });
  if (!repo?.gitDir) {
    req.resume();
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Repository not found.\n');
    return;
  }
  if (!as) {
    req.resume();
    res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain' }).end('Invalid username or token.\n');
    return;
  }
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_HTTP_EXPORT_ALL: '1',
      GIT_PROJECT_ROOT: path.dirname(repo.gitDir), PATH_INFO: `/${path.basename(repo.gitDir)}/${m[3]}`,
      REQUEST_METHOD: req.method ?? 'GET', QUERY_STRING: url.search.slice(1), CONTENT_TYPE: req.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '', GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_USER: as, REMOTE_ADDR: '127.0.0.1',
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  req.pipe(child.stdin);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  const out = Buffer.concat(chunks);
  const split = out.indexOf('\r\n\r\n');
  const headerText = out.subarray(0, split).toString('utf8');
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of headerText.split('\r\n')) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    if (name === 'status') status = Number(value.split(' ')[0]);
    else headers[name] = value;
  }
  res.writeHead(status, headers).end(out.subarray(split + 4));
}

/** `Basic base64(user:password)` → a PAT's login, or the installation of a token that reaches the repository. */
function whoIs(state: FakeGitHubState, header: string | undefined, repoInstallation: number | undefined): string | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  const login = state.pats.get(password);
  if (login) return login;
  const installation = state.installationTokens.get(password);
  return installation !== undefined && installation === repoInstallation ? `installation:${installation}` : null;
}
