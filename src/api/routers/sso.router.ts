import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Core } from '../../core/index.js';
import { ssoEndpoints } from '../../core/sso/sso-login.service.js';
import type { SsoProviderView, SsoTestReport } from '../../core/sso/sso-providers.service.js';
import { CreateSsoProviderInput, UpdateSsoProviderInput } from '../../core/sso/sso.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

/** The IdP POSTs the SAML response as a form: this router reads that body itself. */
export const SSO_ACS_PATH = /^\/api\/v1\/auth\/sso\/[^/]+\/acs$/;

const providerJson = (p: SsoProviderView, base: string) => {
  const urls = ssoEndpoints(base, p.id);
  return {
    id: p.id, name: p.name, provider_type: p.providerType, enabled: p.enabled, client_id: p.clientId, issuer_url: p.issuerUrl,
    settings: Object.fromEntries(Object.entries(p.settings).filter(([k]) => k !== 'groups_claim')),
    default_role: p.defaultRole, group_role_mapping: p.groupRoleMapping, groups_claim: String(p.settings.groups_claim ?? 'groups'), allowed_domains: p.allowedDomains,
    has_client_secret: p.hasClientSecret, has_sp_private_key: p.hasSpPrivateKey,
    login_url: urls.loginUrl, redirect_uri: p.providerType === 'saml' ? urls.acsUrl : urls.callbackUrl,
    sp_metadata_url: p.providerType === 'saml' ? urls.metadataUrl : null,
    created_by: p.createdBy, created_at: new Date(p.createdAt).toISOString(), updated_at: new Date(p.updatedAt).toISOString(),
  };
};

const testJson = (r: SsoTestReport) => ({ ok: r.ok, provider_type: r.providerType, checked_url: r.checkedUrl, found: r.found, problems: r.problems });

/** SSO providers of the caller's tenant (admin), and the public sign-in routes under /api/v1/auth/sso/{id}. */
export function ssoRouter(core: Core, options: { publicUrl?: string; formLimit: number }) {
  const router = new Router<AppState>({ prefix: '/api/v1' });
  const auth = requireActor(core);
  // Without ATLANTAS_URL: where this request came in (the IdP must be given the same URLs).
  const baseOf = (ctx: { protocol: string; host: string }) => options.publicUrl ?? `${ctx.protocol}://${ctx.host}`;

  router.get('/sso-providers', auth, async (ctx) => {
    ctx.body = (await core.ssoProviders.list(ctx.state.actor)).map((p) => providerJson(p, baseOf(ctx)));
  });
  router.post('/sso-providers', auth, async (ctx) => {
    ctx.body = providerJson(await core.ssoProviders.create(ctx.state.actor, parse(CreateSsoProviderInput, ctx.request.body)), baseOf(ctx));
    ctx.status = 201;
  });
  router.get('/sso-providers/:id', auth, async (ctx) => {
    ctx.body = providerJson(await core.ssoProviders.get(ctx.state.actor, ctx.params.id), baseOf(ctx));
  });
  router.patch('/sso-providers/:id', auth, async (ctx) => {
    ctx.body = providerJson(await core.ssoProviders.update(ctx.state.actor, ctx.params.id, parse(UpdateSsoProviderInput, ctx.request.body)), baseOf(ctx));
  });
  router.delete('/sso-providers/:id', auth, async (ctx) => {
    await core.ssoProviders.remove(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  router.post('/sso-providers/:id/test', auth, async (ctx) => {
    ctx.body = testJson(await core.ssoProviders.test(ctx.state.actor, ctx.params.id));
  });

  const session = (s: { accessToken: string; expiresIn: number }) => ({ access_token: s.accessToken, token_type: 'bearer', expires_in: s.expiresIn });
  router.get('/auth/sso/:id/start', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(await core.sso.start(ctx.params.id, baseOf(ctx)));
  });
  router.get('/auth/sso/:id/callback', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = session(await core.sso.callback(ctx.params.id, new URLSearchParams(ctx.querystring)));
  });
  router.post('/auth/sso/:id/acs', bodyParser({ enableTypes: ['form'], formLimit: options.formLimit }), async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const form = (ctx.request.body ?? {}) as Record<string, unknown>;
    ctx.body = session(await core.sso.acs(ctx.params.id, baseOf(ctx), typeof form.SAMLResponse === 'string' ? form.SAMLResponse : undefined));
  });
  router.get('/auth/sso/:id/metadata', async (ctx) => {
    ctx.type = 'application/samlmetadata+xml';
    ctx.body = await core.sso.metadata(ctx.params.id, baseOf(ctx));
  });
  return router;
}
