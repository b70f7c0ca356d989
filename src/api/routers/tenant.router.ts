import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { ListAuditQuery } from '../../core/audit/audit.schemas.js';
import { CreateTenantInput, QuotasInput, UpdateTenantInput } from '../../core/auth/auth.schemas.js';
import { requireActor } from '../actor-from-request.js';
import { auditJson, statsJson, tenantJson, usageJson, userJson } from '../presenters/v1.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

/** The caller's tenant, quotas, platform-level tenant creation, audit and dashboard. */
export function tenantRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1' });
  const auth = requireActor(core);

  router.get('/tenant', auth, async (ctx) => {
    ctx.body = tenantJson(await core.tenants.get(ctx.state.actor));
  });
  router.get('/tenant/usage', auth, async (ctx) => {
    ctx.body = usageJson(await core.tenants.usage(ctx.state.actor));
  });
  router.patch('/tenant/quotas', auth, async (ctx) => {
    ctx.body = tenantJson(await core.tenants.updateQuotas(ctx.state.actor, parse(QuotasInput, ctx.request.body)));
  });
  router.post('/tenants', auth, async (ctx) => {
    const { tenant, admin } = await core.tenants.create(ctx.state.actor, parse(CreateTenantInput, ctx.request.body));
    ctx.body = { ...tenantJson(tenant), admin: userJson(admin) };
    ctx.status = 201;
  });
  router.patch('/tenants/:id', auth, async (ctx) => {
    ctx.body = tenantJson(await core.tenants.update(ctx.state.actor, ctx.params.id, parse(UpdateTenantInput, ctx.request.body)));
  });
  router.get('/audit', auth, async (ctx) => {
    const q = parse(ListAuditQuery, ctx.query);
    const entries = await core.audit.list(ctx.state.actor, {
      limit: q.limit, before: q.before, action: q.action, targetType: q.target_type, targetId: q.target_id,
    });
    ctx.body = entries.map(auditJson);
  });
  router.get('/dashboard/stats', auth, async (ctx) => {
    ctx.body = statsJson(await core.dashboard.stats(ctx.state.actor));
  });
  return router;
}
