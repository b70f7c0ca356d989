import type { BotContext } from './bot-context.js';
import { renderEventResult } from './render-result.js';
import { reply } from './replies.js';

/** Pull request events (opened, pushed, ready, closed …): one core call, then what to say, if anything. */
export async function handlePullRequest(ctx: BotContext, payload: Record<string, any>): Promise<void> {
  const repoFullName: string = payload.repository.full_name;
  const prNumber: number = payload.pull_request.number;
  const result = await ctx.core.prWorkflow!.event({
    tenantId: ctx.options.tenantId, repoFullName, prNumber, action: payload.action, draft: !!payload.pull_request.draft,
    headSha: payload.pull_request.head?.sha ?? '',
  });
  if (result.kind === 'ignored') return ctx.log.debug({ reason: result.reason }, 'no autoplan');
  const body = renderEventResult(result, ctx);
  if (body) await reply(ctx, repoFullName, prNumber, body);
}
