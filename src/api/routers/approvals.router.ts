import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { approvalJson } from '../../core/approvals/approval-view.js';
import { DecideApprovalInput, ListApprovalsQuery } from '../../core/approvals/approval.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

/** The approval gate over REST: a human lists what agents asked for, and approves or rejects it. */
export function approvalsRouter(core: Core, options: { publicUrl?: string }) {
  const router = new Router<AppState>({ prefix: '/api/v1/approvals' });
  router.use(requireActor(core));
  const base = (ctx: { protocol: string; host: string }) => options.publicUrl ?? `${ctx.protocol}://${ctx.host}`;

  router.get('/', async (ctx) => {
    ctx.body = (await core.approvals.list(ctx.state.actor, parse(ListApprovalsQuery, ctx.query))).map((a) => approvalJson(a, base(ctx)));
  });
  router.get('/:id', async (ctx) => {
    ctx.body = approvalJson(await core.approvals.get(ctx.state.actor, ctx.params.id), base(ctx));
  });
  router.post('/:id/approve', async (ctx) => {
    const { note } = parse(DecideApprovalInput, ctx.request.body ?? {});
    ctx.body = approvalJson(await core.approvals.decide(ctx.state.actor, ctx.params.id, 'approved', note), base(ctx));
  });
  router.post('/:id/reject', async (ctx) => {
    const { note } = parse(DecideApprovalInput, ctx.request.body ?? {});
    ctx.body = approvalJson(await core.approvals.decide(ctx.state.actor, ctx.params.id, 'rejected', note), base(ctx));
  });
  return router;
}
