import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { CreateInstanceInput, UpdateInstanceInput } from '../../core/instances/instance.schemas.js';
import { requireActor } from '../actor-from-request.js';
import { instanceJson } from '../presenters/v1.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

export function instancesRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/instances' });
  router.use(requireActor(core));

  router.get('/', async (ctx) => {
    ctx.body = (await core.instances.list(ctx.state.actor)).map(instanceJson);
  });
  router.post('/', async (ctx) => {
    ctx.body = instanceJson(await core.instances.create(ctx.state.actor, parse(CreateInstanceInput, ctx.request.body)));
    ctx.status = 201;
  });
  router.get('/:id', async (ctx) => {
    ctx.body = instanceJson(await core.instances.get(ctx.state.actor, ctx.params.id));
  });
  router.patch('/:id', async (ctx) => {
    ctx.body = instanceJson(await core.instances.update(ctx.state.actor, ctx.params.id, parse(UpdateInstanceInput, ctx.request.body)));
  });
  router.delete('/:id', async (ctx) => {
    await core.instances.delete(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  return router;
}
