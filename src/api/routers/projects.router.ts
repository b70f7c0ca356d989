import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { AddDependencyInput, CreateProjectInput, LayoutInput, UpdateProjectInput } from '../../core/projects/project.schemas.js';
import { requireActor } from '../actor-from-request.js';
import { dependencyJson, projectJson } from '../presenters/v1.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

export function projectsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/projects' });
  router.use(requireActor(core));

  router.get('/', async (ctx) => {
    ctx.body = (await core.projects.list(ctx.state.actor)).map(projectJson);
  });
  router.post('/', async (ctx) => {
    ctx.body = projectJson(await core.projects.create(ctx.state.actor, parse(CreateProjectInput, ctx.request.body)));
    ctx.status = 201;
  });
  // Static paths before /:id so that "graph" is never taken for an id.
  router.get('/graph', async (ctx) => {
    ctx.body = await core.projects.graph(ctx.state.actor);
  });
  router.put('/graph/layout', async (ctx) => {
    ctx.body = await core.projects.saveLayout(ctx.state.actor, parse(LayoutInput, ctx.request.body));
  });
  router.get('/:id', async (ctx) => {
    ctx.body = projectJson(await core.projects.require(ctx.state.actor, ctx.params.id));
  });
  router.patch('/:id', async (ctx) => {
    ctx.body = projectJson(await core.projects.update(ctx.state.actor, ctx.params.id, parse(UpdateProjectInput, ctx.request.body)));
  });
  router.delete('/:id', async (ctx) => {
    await core.projects.delete(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  router.post('/:id/assign/:instanceId', async (ctx) => {
    ctx.body = projectJson(await core.projects.assign(ctx.state.actor, ctx.params.id, ctx.params.instanceId));
  });
  router.delete('/:id/assign', async (ctx) => {
    ctx.body = projectJson(await core.projects.assign(ctx.state.actor, ctx.params.id, null));
  });
  router.get('/:id/dependencies', async (ctx) => {
    ctx.body = (await core.projects.dependenciesOf(ctx.state.actor, ctx.params.id)).map(dependencyJson);
  });
  router.post('/:id/dependencies', async (ctx) => {
    ctx.body = dependencyJson(await core.projects.addDependency(ctx.state.actor, ctx.params.id, parse(AddDependencyInput, ctx.request.body)));
    ctx.status = 201;
  });
  router.delete('/:id/dependencies/:depId', async (ctx) => {
    await core.projects.removeDependency(ctx.state.actor, ctx.params.id, ctx.params.depId);
    ctx.status = 204;
  });
  return router;
}
