import Router from '@koa/router';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import type { Core } from '../../core/index.js';
import { DomainError, InputError } from '../../core/errors.js';
import type { AuthorizationRequest } from '../../core/tfe/tfe-login.service.js';
import { credentialFrom } from '../actor-from-request.js';
import { classify } from '../envelopes/classify.js';
import type { AppState } from '../types.js';
import { errorPage, loginPage } from './login-page.js';

/** Form posts (the sign-in page, the CLI's token exchange) are read here, not by the JSON body parser. */
export const OAUTH_RAW_BODY = /^\/oauth\/(authorize|token)$/;

const REQUEST_FIELDS = ['client_id', 'redirect_uri', 'response_type', 'state', 'code_challenge', 'code_challenge_method'] as const;

/**
 * login.v1 for `terraform login`: GET /oauth/authorize shows the sign-in page (or, for a caller
 * with a session or token, redirects at once), POST /oauth/authorize signs in and sends the
 * browser back to terraform's localhost callback with a code, POST /oauth/token exchanges the
 * code and its PKCE verifier for an API token (RFC 6749 JSON, errors as `{error, error_description}`).
 */
export function tfeOAuthRouter(core: Core, options: { bodyLimit: number }) {
  const router = new Router<AppState>();
  const login = core.tfe.login;

  router.get('/oauth/authorize', async (ctx) => {
    const params = pick(ctx.query as Record<string, unknown>);
    const req = authorization(params);
    if (!(await page(ctx, () => login.validate(req)))) return;
    const credential = credentialFrom(ctx.get('authorization') || undefined);
    if (credential) {
      const actor = await core.auth.authenticate(credential, 'tfe');
      ctx.redirect(await login.authorizeAs(actor, req));
      return;
    }
    html(ctx, 200, loginPage(params));
  });
  router.post('/oauth/authorize', async (ctx) => {
    const form = await formBody(ctx, options.bodyLimit);
    const params = pick(Object.fromEntries(form));
    const req = authorization(params);
    if (!(await page(ctx, () => login.validate(req)))) return;
    try {
      ctx.redirect(await login.authorizeWithPassword(req, form.get('email') ?? '', form.get('password') ?? '', ctx.ip));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      html(ctx, classify(err).status, loginPage(params, err.message));
    }
  });
  router.post('/oauth/token', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      const form = await formBody(ctx, options.bodyLimit);
      if (form.get('grant_type') !== 'authorization_code') throw new InputError('grant_type must be authorization_code', { code: 'unsupported_grant_type' });
      const { token } = await login.exchange({
        code: form.get('code') ?? '', redirectUri: form.get('redirect_uri') ?? '', codeVerifier: form.get('code_verifier') ?? '',
        clientId: form.get('client_id') ?? basicClientId(ctx.get('authorization')),
      });
      ctx.body = { access_token: token, token_type: 'bearer' };
    } catch (err) {
      const e = classify(err);
      if (e.status >= 500) throw err;
      ctx.status = e.status === 401 ? 401 : 400;
      ctx.body = { error: ['invalid_grant', 'unsupported_grant_type', 'invalid_request'].includes(e.code) ? e.code : 'invalid_request', error_description: e.message };
    }
  });
  return router;
}

function pick(source: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of REQUEST_FIELDS) {
    const v = source[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function authorization(p: Record<string, string>): AuthorizationRequest {
  return {
    clientId: p.client_id ?? '', redirectUri: p.redirect_uri ?? '', codeChallenge: p.code_challenge ?? '',
    codeChallengeMethod: p.code_challenge_method ?? '', state: p.state ?? '',
  };
}

/** A bad request is told to the person in the browser, never redirected anywhere. */
async function page(ctx: Koa.Context, check: () => void): Promise<boolean> {
  try {
    check();
    return true;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    html(ctx, 400, errorPage(err.message));
    return false;
  }
}

function html(ctx: Koa.Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  ctx.body = body;
}

async function formBody(ctx: Koa.Context, limit: number): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new InputError('send the form as application/x-www-form-urlencoded', { code: 'invalid_request' });
  }
  return new URLSearchParams(await getRawBody(ctx.req, { limit, encoding: 'utf8' }));
}

/** oauth2 clients may authenticate as `Basic base64(client_id:)`; the client id is all there is. */
function basicClientId(header: string): string | undefined {
  const m = /^basic\s+(\S+)$/i.exec(header.trim());
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return decodeURIComponent(colon >= 0 ? decoded.slice(0, colon) : decoded);
}
