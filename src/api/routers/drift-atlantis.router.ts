import Router, { type RouterMiddleware } from '@koa/router';
import type { Actor } from '../../core/actor.js';
import { DriftDetectInput, DriftRemediateInput, DriftStatusQuery, RemediationListQuery } from '../../core/drift/drift.schemas.js';
import type { RemediationView } from '../../core/drift/drift-remediation.js';
import { UnavailableError } from '../../core/errors.js';
import type { Core } from '../../core/index.js';
import { assertAtlantisToken, atlantisOk } from '../envelopes/atlantis.js';
import { atlantisDriftReport, atlantisRemediation } from '../presenters/drift.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

export interface AtlantisDriftOptions {
  secret?: string;
  actor: () => Actor;
}

/**
 * Atlantis's drift API (atlantis-api.md /api/drift/*) in the default tenant: detect and remediate
 * take X-Atlantis-Token; status and the remediation reads are open as in Atlantis (a token sent
 * anyway must be right), except terraform's output, which needs the token. Without
 * ATLANTAS_API_SECRET the whole API is off (503).
 */
export function atlantisDriftRouter(core: Core, options: AtlantisDriftOptions) {
  const router = new Router<AppState>({ prefix: '/api/drift' });
  const write: RouterMiddleware<AppState> = async (ctx, next) => {
    ctx.state.surface = 'atlantis';
    assertAtlantisToken(ctx.get('x-atlantis-token'), options.secret);
    await next();
  };
  const read: RouterMiddleware<AppState> = async (ctx, next) => {
    ctx.state.surface = 'atlantis';
    if (!options.secret) throw new UnavailableError('drift detection is not enabled on this server (set ATLANTAS_API_SECRET)', { code: 'api_disabled' });
    if (ctx.get('x-atlantis-token')) assertAtlantisToken(ctx.get('x-atlantis-token'), options.secret);
    await next();
  };

  router.post('/detect', write, async (ctx) => {
    const input = parse(DriftDetectInput, ctx.request.body);
    const paths = input.paths?.map((p) => ({ dir: p.directory, workspace: p.workspace }));
    const { records } = await core.drift.check(options.actor(), { kind: 'repository', repository: input.repository, ref: input.ref, projects: input.projects, paths });
    ctx.body = atlantisOk(atlantisDriftReport(input.repository, records, 'detected_at', new Date()), ctx.state.requestId);
  });
  router.get('/status', read, async (ctx) => {
    const q = parse(DriftStatusQuery, ctx.query);
    const records = await core.drift.list(options.actor(), { repoFullName: q.repository, projectName: q.project, workspace: q.workspace });
    ctx.body = atlantisOk(atlantisDriftReport(q.repository, records, 'checked_at', new Date()), ctx.state.requestId);
  });
  router.post('/remediate', write, async (ctx) => {
    const input = parse(DriftRemediateInput, ctx.request.body);
    const actor = options.actor();
    const view = await core.driftRemediations.remediate(actor, { ...input, driftOnly: input.drift_only });
    ctx.body = atlantisOk(atlantisRemediation(view, await outputsOf(core, actor, view)), ctx.state.requestId);
  });
  router.get('/remediate', read, async (ctx) => {
    const q = parse(RemediationListQuery, ctx.query);
    const results = (await core.driftRemediations.list(options.actor(), q.repository, q.limit)).map((r) => atlantisRemediation(r, 'list'));
    ctx.body = atlantisOk({ repository: q.repository, count: results.length, results }, ctx.state.requestId);
  });
  // Open as in Atlantis, but terraform's output (a run log) only for a caller who sent the token (checked by `read`).
  router.get('/remediate/:id', read, async (ctx) => {
    const actor = options.actor();
    const view = await core.driftRemediations.get(actor, ctx.params.id);
    const detail = ctx.get('x-atlantis-token') ? await outputsOf(core, actor, view) : 'withheld';
    ctx.body = atlantisOk(atlantisRemediation(view, detail), ctx.state.requestId);
  });
  return router;
}

/** Each run's plan output, and its apply output once applied. */
async function outputsOf(core: Core, actor: Actor, view: RemediationView): Promise<Map<string, { plan: string; apply: string }>> {
  const out = new Map<string, { plan: string; apply: string }>();
  for (const p of view.projects) {
    if (!p.run) continue;
    const plan = await core.runs.output(actor, p.run.id, 'plan');
    const apply = p.run.status === 'applied' ? await core.runs.output(actor, p.run.id, 'apply') : '';
    out.set(p.run.id, { plan, apply });
  }
  return out;
}
