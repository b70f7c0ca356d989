import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { AuthenticationTokenDocument } from '../../core/tfe/tfe.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { send } from './jsonapi.js';
import { authenticationTokenResource, entitlementResource, organizationResource, userResource } from './presenters.js';

/** Who the token is (account/details), its organization (= tenant) and what it offers, and new tokens. */
export function tfeIdentityRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v2' });
  router.use(requireActor(core, 'tfe'));

  router.get('/account/details', async (ctx) => {
    const actor = ctx.state.actor;
    send(ctx, 200, userResource(actor, actor.userId ? await core.auth.me(actor) : null));
  });
  router.get('/organizations/:org', async (ctx) => {
    send(ctx, 200, organizationResource(await core.tfe.workspaces.organization(ctx.state.actor, ctx.params.org), ctx.state.actor));
  });
  router.get('/organizations/:org/entitlement-set', async (ctx) => {
    send(ctx, 200, entitlementResource(await core.tfe.workspaces.organization(ctx.state.actor, ctx.params.org)));
  });
  router.post('/users/:id/authentication-tokens', async (ctx) => {
    const attrs = parse(AuthenticationTokenDocument, ctx.request.body ?? {}).data.attributes;
    const userId = ctx.params.id.replace(/^user-/, '');
    const expiresAt = attrs['expired-at'] ? new Date(attrs['expired-at']) : null;
    send(ctx, 201, authenticationTokenResource(await core.tfe.login.createUserToken(ctx.state.actor, userId, { description: attrs.description, expiresAt })));
  });
  return router;
}
