import Router from '@koa/router';
import { CreateIncidentInput, IncidentRef, ListIncidentsQuery, UpdateIncidentInput } from '../../core/incidents/incident.schemas.js';
import type { Core } from '../../core/index.js';
import { requireAtlasaiActor } from '../atlasai-actor.js';
import { atlasaiOk } from '../envelopes/atlasai.js';
import { incidentJson } from '../presenters/incidents.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

/**
 * AtlasAI's /api/incidents (atlasai-api.txt "Incidents"), in its `{ data }` envelope: list with
 * status/severity/limit/offset, create, get and patch by id or reference (INC-00000001).
 */
export function incidentsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/incidents' });
  router.use(requireAtlasaiActor(core));
  router.get('/', async (ctx) => {
    const page = await core.incidents.list(ctx.state.actor, parse(ListIncidentsQuery, { ...ctx.query }));
    ctx.body = atlasaiOk({ ...page, items: page.items.map(incidentJson) });
  });
  router.post('/', async (ctx) => {
    const { incident, created } = await core.incidents.create(ctx.state.actor, parse(CreateIncidentInput, ctx.request.body));
    ctx.status = created ? 201 : 200; // a dedup_key that matched an unresolved incident folded into it
    ctx.body = atlasaiOk(incidentJson(incident));
  });
  router.get('/:id', async (ctx) => {
    ctx.body = atlasaiOk(incidentJson(await core.incidents.get(ctx.state.actor, parse(IncidentRef, ctx.params.id))));
  });
  router.patch('/:id', async (ctx) => {
    ctx.body = atlasaiOk(incidentJson(await core.incidents.update(ctx.state.actor, parse(IncidentRef, ctx.params.id), parse(UpdateIncidentInput, ctx.request.body))));
  });
  return router;
}
