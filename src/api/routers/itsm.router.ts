import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import type { ChangeRequest, ServiceRequest } from '../../core/itsm/itsm.repository.js';
import {
  CreateChangeInput, CreateServiceRequestInput, DecisionInput, ListChangesQuery, ListServiceRequestsQuery, UpdateChangeInput, UpdateServiceRequestInput,
} from '../../core/itsm/itsm.schemas.js';
import { requireAtlasaiActor } from '../atlasai-actor.js';
import { atlasaiOk } from '../envelopes/atlasai.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { iso } from '../presenters/iso.js';


const changeJson = (c: ChangeRequest) => ({
  id: c.id, reference: c.reference, title: c.title, description: c.description, type: c.type, risk_level: c.riskLevel, status: c.status,
  requested_start: iso(c.requestedStart), requested_end: iso(c.requestedEnd), implementation_plan: c.implementationPlan, rollback_plan: c.rollbackPlan,
  project_ids: c.projectIds, requested_by: c.requestedBy, decided_by: c.decidedBy, decided_at: iso(c.decidedAt), decision_note: c.decisionNote,
  created_at: iso(c.createdAt), updated_at: iso(c.updatedAt),
});

const requestJson = (r: ServiceRequest) => ({
  id: r.id, reference: r.reference, catalog_item_id: r.catalogItemId, status: r.status, details: r.details, requested_by: r.requestedBy,
  decided_by: r.decidedBy, decided_at: iso(r.decidedAt), decision_note: r.decisionNote, created_at: iso(r.createdAt), updated_at: iso(r.updatedAt),
});

/** AtlasAI's ITSM (atlasai-api.txt "ITSM"): change requests with windows and approvals, service requests from a catalog. */
export function itsmRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/itsm' });
  router.use(requireAtlasaiActor(core));
  const decision = (body: unknown) => parse(DecisionInput, body ?? {});

  router.get('/changes', async (ctx) => {
    const page = await core.itsm.listChanges(ctx.state.actor, parse(ListChangesQuery, ctx.query));
    ctx.body = atlasaiOk({ ...page, items: page.items.map(changeJson) });
  });
  router.post('/changes', async (ctx) => {
    ctx.status = 201;
    ctx.body = atlasaiOk(changeJson(await core.itsm.createChange(ctx.state.actor, parse(CreateChangeInput, ctx.request.body))));
  });
  router.get('/changes/:id', async (ctx) => {
    ctx.body = atlasaiOk(changeJson(await core.itsm.getChange(ctx.state.actor, ctx.params.id)));
  });
  router.patch('/changes/:id', async (ctx) => {
    ctx.body = atlasaiOk(changeJson(await core.itsm.updateChange(ctx.state.actor, ctx.params.id, parse(UpdateChangeInput, ctx.request.body))));
  });
  router.post('/changes/:id/approve', async (ctx) => {
    ctx.body = atlasaiOk(changeJson(await core.itsm.approveChange(ctx.state.actor, ctx.params.id, decision(ctx.request.body))));
  });
  router.post('/changes/:id/reject', async (ctx) => {
    ctx.body = atlasaiOk(changeJson(await core.itsm.rejectChange(ctx.state.actor, ctx.params.id, decision(ctx.request.body))));
  });

  router.get('/catalog', async (ctx) => {
    ctx.body = atlasaiOk({ items: core.itsm.catalog(ctx.state.actor) });
  });
  router.get('/requests', async (ctx) => {
    const page = await core.itsm.listRequests(ctx.state.actor, parse(ListServiceRequestsQuery, ctx.query));
    ctx.body = atlasaiOk({ ...page, items: page.items.map(requestJson) });
  });
  router.post('/requests', async (ctx) => {
    ctx.status = 201;
    ctx.body = atlasaiOk(requestJson(await core.itsm.createRequest(ctx.state.actor, parse(CreateServiceRequestInput, ctx.request.body))));
  });
  router.get('/requests/:id', async (ctx) => {
    ctx.body = atlasaiOk(requestJson(await core.itsm.getRequest(ctx.state.actor, ctx.params.id)));
  });
  router.patch('/requests/:id', async (ctx) => {
    ctx.body = atlasaiOk(requestJson(await core.itsm.updateRequest(ctx.state.actor, ctx.params.id, parse(UpdateServiceRequestInput, ctx.request.body))));
  });
  router.post('/requests/:id/approve', async (ctx) => {
    ctx.body = atlasaiOk(requestJson(await core.itsm.approveRequest(ctx.state.actor, ctx.params.id, decision(ctx.request.body))));
  });
  router.post('/requests/:id/reject', async (ctx) => {
    ctx.body = atlasaiOk(requestJson(await core.itsm.rejectRequest(ctx.state.actor, ctx.params.id, decision(ctx.request.body))));
  });
  return router;
}
