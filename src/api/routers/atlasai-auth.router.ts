import Router from '@koa/router';
import { AtlasaiTokenInput } from '../../core/auth/auth.schemas.js';
import type { TokenPair } from '../../core/auth/auth.service.js';
import type { Core } from '../../core/index.js';
import { requireAtlasaiActor } from '../atlasai-actor.js';
import { atlasaiOk } from '../envelopes/atlasai.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

const pairJson = (pair: TokenPair) => ({
  token: pair.accessToken,
  refresh_token: pair.refreshToken,
  expires_in: pair.expiresIn,
  user: { id: pair.user.id, email: pair.user.email, name: pair.user.name, role: pair.user.role, tenant_id: pair.user.tenantId },
});

/**
 * AtlasAI's POST /api/auth/token: email + password, or a refresh token, → `{ token,
 * refresh_token, user }` in the `{ data }` envelope; GET /api/auth/me shows who a token is.
 */
export function atlasaiAuthRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/auth' });
  router.post('/token', async (ctx) => {
    ctx.state.surface = 'atlasai';
    const input = parse(AtlasaiTokenInput, ctx.request.body);
    const pair = 'refresh_token' in input
      ? await core.auth.refreshTokenPair(input.refresh_token, ctx.ip)
      : await core.auth.issueTokenPair(input.email, input.password, ctx.ip);
    ctx.body = atlasaiOk(pairJson(pair));
  });
  router.get('/me', requireAtlasaiActor(core), async (ctx) => {
    const user = await core.auth.me(ctx.state.actor);
    ctx.body = atlasaiOk({ id: user.id, email: user.email, name: user.name, role: user.role, tenant_id: user.tenantId });
  });
  return router;
}
