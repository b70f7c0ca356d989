import Router from '@koa/router';
import { CreateRunnerPoolInput as CreatePool, CreateRunnerTokenInput as CreateToken } from '../../core/runners/runner.schemas.js';
import type { Core } from '../../core/index.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

const poolJson = (p: { id: string; tenantId: string | null; name: string; createdAt: Date }) =>
  ({ id: p.id, name: p.name, shared: p.tenantId === null, tenant_id: p.tenantId, created_at: p.createdAt });

/** Runner pools, their tokens (shown once) and the runners that registered. */
export function runnerPoolsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/runner-pools' });
  router.use(requireActor(core));
  router.get('/', async (ctx) => {
    ctx.body = (await core.runners.listPools(ctx.state.actor)).map(poolJson);
  });
  router.post('/', async (ctx) => {
    const input = parse(CreatePool, ctx.request.body);
    ctx.body = poolJson(await core.runners.createPool(ctx.state.actor, { name: input.name, shared: input.shared, tenantDefault: input.tenant_default }));
    ctx.status = 201;
  });
  router.delete('/:id', async (ctx) => {
    await core.runners.deletePool(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  router.post('/:id/tokens', async (ctx) => {
    const { token, raw } = await core.runners.createToken(ctx.state.actor, ctx.params.id, parse(CreateToken, ctx.request.body).name);
    ctx.body = { id: token.id, name: token.name, pool_id: token.poolId, token: raw };
    ctx.status = 201;
  });
  router.get('/:id/runners', async (ctx) => {
    ctx.body = (await core.runners.listRunners(ctx.state.actor, ctx.params.id)).map((r) => ({
      id: r.id, name: r.name, version: r.version, last_heartbeat_at: r.lastHeartbeatAt, current_runs: r.currentRunIds, current_run: r.currentRunIds[0] ?? null,
    }));
  });
  return router;
}
