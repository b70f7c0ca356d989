import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { ChangePasswordInput, CreateTokenInput, LoginInput, RegisterInput } from '../../core/auth/auth.schemas.js';
import { requireActor } from '../actor-from-request.js';
import { tokenJson, userJson } from '../presenters/v1.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

/** /api/v1/auth/* and the caller's own API tokens. */
export function authRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1' });
  const auth = requireActor(core);

  router.post('/auth/login', async (ctx) => {
    const input = parse(LoginInput, ctx.request.body);
    // ctx.ip is the client by the trusted-proxy rule (trusted-proxies.ts), not whatever X-Forwarded-For says.
    const session = await core.auth.login(input.email, input.password, ctx.ip);
    ctx.body = { access_token: session.accessToken, token_type: 'bearer', expires_in: session.expiresIn };
  });
  router.post('/auth/logout', auth, async (ctx) => {
    await core.auth.logout(ctx.state.actor);
    ctx.status = 204;
  });
  router.post('/auth/password', auth, async (ctx) => {
    const input = parse(ChangePasswordInput, ctx.request.body);
    await core.auth.changePassword(ctx.state.actor, input.current_password, input.new_password);
    ctx.status = 204;
  });
  router.get('/auth/me', auth, async (ctx) => {
    ctx.body = userJson(await core.auth.me(ctx.state.actor));
  });
  router.post('/auth/register', auth, async (ctx) => {
    ctx.body = userJson(await core.users.register(ctx.state.actor, parse(RegisterInput, ctx.request.body)));
    ctx.status = 201;
  });
  router.get('/users/tokens', auth, async (ctx) => {
    ctx.body = (await core.tokens.list(ctx.state.actor)).map(tokenJson);
  });
  router.post('/users/tokens', auth, async (ctx) => {
    const token = await core.tokens.create(ctx.state.actor, parse(CreateTokenInput, ctx.request.body));
    ctx.body = { ...tokenJson(token), raw_token: token.rawToken };
    ctx.status = 201;
  });
  router.delete('/users/tokens/:id', auth, async (ctx) => {
    await core.tokens.revoke(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  return router;
}
