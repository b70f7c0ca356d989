import Router, { type RouterMiddleware } from '@koa/router';
import type { Actor } from '../../core/actor.js';
import type { Core } from '../../core/index.js';
import { AtlantisCommandInput } from '../atlantis-command.schema.js';
import { assertAtlantisToken, atlantisOk } from '../envelopes/atlantis.js';
import { atlantisCommandResult } from '../presenters/atlantis-command.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

export interface AtlantisApiOptions {
  secret?: string;
  /** how long POST /api/plan|apply waits for its runs */
  waitMs: number;
  actor: () => Promise<Actor>;
}

/** Atlantis-compatible POST /api/plan and /api/apply (atlantis-api.md): they wait for the runs, as Atlantis does. */
export function atlantisRouter(core: Core, options: AtlantisApiOptions) {
  const router = new Router<AppState>({ prefix: '/api' });

  const gate: RouterMiddleware<AppState> = async (ctx, next) => {
    ctx.state.surface = 'atlantis';
    assertAtlantisToken(ctx.get('x-atlantis-token'), options.secret);
    await next();
  };

  for (const operation of ['plan', 'apply'] as const) {
    router.post(`/${operation}`, gate, async (ctx) => {
      const input = parse(AtlantisCommandInput, ctx.request.body);
      const actor = await options.actor();
      const { outcome, runs, outputs, answered } = await core.commands.submitAndWait(actor, {
        operation, source: 'atlantis_api', repoFullName: input.Repository, ref: input.Ref, prNumber: input.PR || null,
        projects: input.Projects, paths: input.Paths?.map((p) => ({ dir: p.Directory, workspace: p.Workspace })), autoApply: operation === 'apply',
      }, options.waitMs);
      // Work after the answer (show -json) waits until it is written; 'close' follows every response, an error's too.
      ctx.res.once('close', answered);
      if (ctx.req.socket.destroyed) answered(); // the caller left while its runs ran: nothing will be written
      const data = atlantisCommandResult(operation, outcome, runs, outputs);
      ctx.body = atlantisOk(data, ctx.state.requestId);
    });
  }
  return router;
}
