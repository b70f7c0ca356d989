import type Koa from 'koa';
import type { Core } from '../core/index.js';
import { credentialFrom } from './actor-from-request.js';

/**
 * The AtlasAI surface's caller: `Authorization: Bearer <jwt | API token>`, and an optional
 * `x-tenant-id` that must name the credential's own tenant. Errors speak AtlasAI's envelope.
 */
export function requireAtlasaiActor(core: Core): Koa.Middleware {
  return async (ctx, next) => {
    ctx.state.surface = 'atlasai';
    const actor = await core.auth.authenticate(credentialFrom(ctx.get('authorization') || undefined), 'api');
    const named = ctx.get('x-tenant-id').trim();
    if (named) await core.tenants.assertNamedTenant(actor, named);
    ctx.state.actor = actor;
    ctx.state.log = ctx.state.log?.child({ actor: actor.name, tenant: actor.tenantId });
    await next();
  };
}
