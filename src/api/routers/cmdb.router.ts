import Router from '@koa/router';
import type { CmdbItem } from '../../core/cmdb/cmdb-item.repository.js';
import { CmdbImpactQuery, CreateCmdbItemInput, ListCmdbItemsQuery } from '../../core/cmdb/cmdb.schemas.js';
import type { Core } from '../../core/index.js';
import { requireAtlasaiActor } from '../atlasai-actor.js';
import { atlasaiOk } from '../envelopes/atlasai.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

const itemJson = (i: CmdbItem) => ({
  id: i.id,
  name: i.name,
  class: i.class,
  environment: i.environment,
  source: i.source,
  project_id: i.projectId,
  state_id: i.stateId,
  address: i.address,
  resource_type: i.resourceType,
  provider: i.provider,
  depends_on: i.dependsOn,
  attributes: i.attributes,
  created_by: i.createdBy,
  created_at: i.createdAt,
  updated_at: i.updatedAt,
});

/** AtlasAI's CMDB (atlasai-api.txt "CMDB"): items kept from Terraform state, items by hand, a CI's blast radius. */
export function cmdbRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/cmdb' });
  router.use(requireAtlasaiActor(core));
  router.get('/items', async (ctx) => {
    const page = await core.cmdb.list(ctx.state.actor, parse(ListCmdbItemsQuery, ctx.query));
    ctx.body = atlasaiOk({ ...page, items: page.items.map(itemJson) });
  });
  router.post('/items', async (ctx) => {
    const item = await core.cmdb.create(ctx.state.actor, parse(CreateCmdbItemInput, ctx.request.body));
    ctx.status = 201;
    ctx.body = atlasaiOk(itemJson(item));
  });
  router.get('/items/:id', async (ctx) => {
    ctx.body = atlasaiOk(itemJson(await core.cmdb.get(ctx.state.actor, ctx.params.id)));
  });
  router.get('/impact', async (ctx) => {
    const impact = await core.cmdb.impact(ctx.state.actor, parse(CmdbImpactQuery, ctx.query));
    ctx.body = atlasaiOk({
      ci: itemJson(impact.item),
      impacted: impact.impacted.map((i) => ({ ...itemJson(i.item), relation: i.relation, depth: i.depth, through: i.through })),
      total: impact.impacted.length,
      project_ids: impact.projectIds,
    });
  });
  return router;
}
