import type Koa from 'koa';
import type { Core } from '../core/index.js';
import type { Via } from '../core/actor.js';
import { AuthenticationError } from '../core/errors.js';

/**
 * The credential a request carries: `Authorization: Bearer <jwt|atl_token>`, or HTTP Basic whose
 * password is an API token (what terraform's http backend sends; the username is free).
 */
export function credentialFrom(header: string | undefined): string {
  if (!header) return '';
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : '';
  }
  throw new AuthenticationError(`unsupported authorization scheme "${scheme}"; use Bearer`, { code: 'unauthenticated' });
}

/** Authenticates the request and puts the Actor on ctx.state.actor. */
export function requireActor(core: Core, via: Via = 'api'): Koa.Middleware {
  return async (ctx, next) => {
    const actor = await core.auth.authenticate(credentialFrom(ctx.get('authorization') || undefined), via);
    ctx.state.actor = actor;
    ctx.state.log = ctx.state.log?.child({ actor: actor.name, tenant: actor.tenantId });
    await next();
  };
}
