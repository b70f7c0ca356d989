import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { requireActor } from '../actor-from-request.js';
import { billingCsv, billingCurrentJson, billingRecordJson } from '../presenters/billing.js';
import type { AppState } from '../types.js';

/** The tenant's bill: monthly records computed from its states and applied runs (admin). */
export function billingRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/billing' });
  router.use(requireActor(core));

  router.get('/', async (ctx) => {
    ctx.body = (await core.billing.records(ctx.state.actor)).map(billingRecordJson);
  });
  router.get('/current', async (ctx) => {
    ctx.body = billingCurrentJson(await core.billing.current(ctx.state.actor));
  });
  router.get('/export', async (ctx) => {
    const records = await core.billing.records(ctx.state.actor);
    const tenant = await core.tenants.get(ctx.state.actor);
    ctx.set('Content-Disposition', `attachment; filename="atlantas-billing-${tenant.slug}-${records[0]?.periodStart.slice(0, 7) ?? 'empty'}.csv"`);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = billingCsv(records);
  });
  return router;
}
