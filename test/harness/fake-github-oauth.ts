import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGithubUser {
  login: string;
  name?: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
  orgs?: string[];
}

export interface FakeGithubOAuth {
  /** the web base (OAuth endpoints), like https://github.com */
  url: string;
  /** the REST API base, GitHub Enterprise style (…/api/v3) */
  apiUrl: string;
  /** the app registered at this fake */
  app: { clientId: string; clientSecret: string };
  /** who the next authorize request signs in as (GitHub's own login page, skipped) */
  signInAs(user: FakeGithubUser): void;
  /** token exchanges the fake refused, and why */
  refusals: string[];
  close(): Promise<void>;
}

/**
 * GitHub's OAuth web flow and the user endpoints an app reads after it, on loopback, speaking
 * GitHub's wire format: /login/oauth/authorize redirects back with a code; /login/oauth/access_token
 * checks the client secret, the redirect_uri, the PKCE verifier and that the code is fresh (200
 * with an `error` field otherwise, as GitHub does); /user, /user/emails, /user/orgs need the token.
 */
export async function startFakeGithubOAuth(): Promise<FakeGithubOAuth> {
  const app = { clientId: `Iv1.${randomBytes(8).toString('hex')}`, clientSecret: randomBytes(20).toString('hex') };
  let current: FakeGithubUser | undefined;
  const codes = new Map<string, { user: FakeGithubUser; redirectUri: string; challenge: string | null }>();
  const tokens = new Map<string, FakeGithubUser>();
  const refusals: string[] = [];

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    return new URLSearchParams(raw);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://fake');
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      if (url.searchParams.get('client_id') !== app.clientId || !current) return json(res, 404, { message: 'Not Found' });
      const code = randomBytes(10).toString('hex');
      const redirectUri = url.searchParams.get('redirect_uri')!;
      codes.set(code, { user: current, redirectUri, challenge: url.searchParams.get('code_challenge') });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const form = await readBody(req);
      const refuse = (error: string) => {
        refusals.push(error);
        return json(res, 200, { error, error_description: error.replace(/_/g, ' ') });
      };
      if (form.get('client_id') !== app.clientId || form.get('client_secret') !== app.clientSecret) return refuse('incorrect_client_credentials');
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!grant) return refuse('bad_verification_code');
      if (grant.redirectUri !== form.get('redirect_uri')) return refuse('redirect_uri_mismatch');
      const verifier = form.get('code_verifier') ?? '';
      if (grant.challenge && createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) return refuse('invalid_code_verifier');
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.set(token, grant.user);
      return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email,read:org' });
    }
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (req.method === 'GET' && url.pathname === '/api/v3/') return json(res, 200, { current_user_url: `http://${req.headers.host}/api/v3/user` });
    if (!user) return json(res, 401, { message: 'Requires authentication' });
    if (url.pathname === '/api/v3/user') return json(res, 200, { login: user.login, id: 1, name: user.name ?? null });
    if (url.pathname === '/api/v3/user/emails') return json(res, 200, user.emails.map((e) => ({ ...e, visibility: e.primary ? 'public' : null })));
    if (url.pathname === '/api/v3/user/orgs') return json(res, 200, (user.orgs ?? []).map((login) => ({ login })));
    return json(res, 404, { message: 'Not Found' });
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => json(res, 500, { message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, apiUrl: `${url}/api/v3`, app, refusals,
    signInAs: (user) => { current = user; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
