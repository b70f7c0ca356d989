import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { CreateCloudCredentialInput, UpdateCloudCredentialInput } from '../../core/cloud-credentials/cloud-credential.schemas.js';
import { requireActor } from '../actor-from-request.js';
import { cloudCredentialJson, validationJson } from '../presenters/cloud-credentials.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

/** A tenant's cloud credentials: secrets go in (POST, PATCH) and never come out. */
export function cloudCredentialsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/cloud-credentials' });
  router.use(requireActor(core));

  router.get('/', async (ctx) => {
    ctx.body = (await core.cloudCredentials.list(ctx.state.actor)).map(cloudCredentialJson);
  });
  router.post('/', async (ctx) => {
    ctx.body = cloudCredentialJson(await core.cloudCredentials.create(ctx.state.actor, parse(CreateCloudCredentialInput, ctx.request.body)));
    ctx.status = 201;
  });
  router.get('/:id', async (ctx) => {
    ctx.body = cloudCredentialJson(await core.cloudCredentials.get(ctx.state.actor, ctx.params.id));
  });
  router.patch('/:id', async (ctx) => {
    ctx.body = cloudCredentialJson(await core.cloudCredentials.update(ctx.state.actor, ctx.params.id, parse(UpdateCloudCredentialInput, ctx.request.body)));
  });
  router.delete('/:id', async (ctx) => {
    await core.cloudCredentials.delete(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  router.post('/:id/validate', async (ctx) => {
    ctx.body = validationJson(await core.cloudCredentials.validate(ctx.state.actor, ctx.params.id));
  });
  return router;
}
