import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { InputError } from '../../core/errors.js';
import { ProjectDocument } from '../../core/tfe/tfe-project.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { projectResource } from './agent-presenters.js';
import { send, sendAll } from './jsonapi.js';
import { queryParam } from './tfe-context.js';

/** TFE projects (= Atlantas projects): list (`q` filters by name), create, show, rename, delete. */
export function tfeProjectsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v2' });
  const projects = core.tfe.projects;
  const auth = requireActor(core, 'tfe');

  router.get('/organizations/:org/projects', auth, async (ctx) => {
    const items = await projects.list(ctx.state.actor, ctx.params.org, { name: queryParam(ctx, 'q') ?? queryParam(ctx, 'filter[names]') });
    sendAll(ctx, items.map(projectResource));
  });
  router.post('/organizations/:org/projects', auth, async (ctx) => {
    const name = parse(ProjectDocument, ctx.request.body).data.attributes.name;
    if (!name) throw new InputError('data.attributes.name: is required', { code: 'validation_error' });
    send(ctx, 201, projectResource(await projects.create(ctx.state.actor, ctx.params.org, name)));
  });
  router.get('/projects/:id', auth, async (ctx) => {
    send(ctx, 200, projectResource(await projects.get(ctx.state.actor, ctx.params.id)));
  });
  router.patch('/projects/:id', auth, async (ctx) => {
    send(ctx, 200, projectResource(await projects.rename(ctx.state.actor, ctx.params.id, parse(ProjectDocument, ctx.request.body).data.attributes.name)));
  });
  router.delete('/projects/:id', auth, async (ctx) => {
    await projects.delete(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  return router;
}
