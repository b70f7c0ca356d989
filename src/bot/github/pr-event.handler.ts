import { systemActor } from '../../core/actor.js';
import type { BotContext } from './github-bot.js';
import { renderLocksDeleted } from './render.js';
import { errorComment, NOT_ALLOWLISTED, reply } from './replies.js';

const AUTOPLAN = ['opened', 'synchronize', 'ready_for_review'];

/** Pull request events: autoplan on open/push/ready, cleanup on close (merged or not). */
export async function handlePullRequest(ctx: BotContext, payload: Record<string, any>): Promise<void> {
  const repo: string = payload.repository.full_name;
  const number: number = payload.pull_request.number;
  const actor = systemActor('github:autoplan', ctx.options.tenantId, 'member', 'github');
  if (payload.action === 'closed') return cleanup(ctx, repo, number);
  if (!AUTOPLAN.includes(payload.action)) return ctx.log.debug('ignoring a non-actionable pull request event');
  if (payload.pull_request.draft && !ctx.options.allowDraftPrs) return ctx.log.debug('ignoring a draft pull request');
  if (!ctx.core.repoPolicy.isAllowed(repo)) return payload.action === 'opened' ? reply(ctx, repo, number, NOT_ALLOWLISTED(repo)) : undefined;
  const pull = await ctx.vcs.getPullRequest(repo, number);
  try {
    ctx.core.pullRequests!.assertActionable(pull);
  } catch (err) {
    // Say it once, when the pull request is opened, not on every push.
    return payload.action === 'opened' ? reply(ctx, repo, number, errorComment(err, 'autoplan', ctx.delivery)) : undefined;
  }
  try {
    await ctx.vcs.setCommitStatus(repo, pull.headSha, { state: 'pending', context: 'atlantis/plan', description: 'Plan in progress...' });
    await ctx.core.pullRequests!.plan(actor, pull, { source: 'autoplan' });
  } catch (err) {
    ctx.log.warn({ err }, 'autoplan failed');
    await ctx.vcs.setCommitStatus(repo, pull.headSha, { state: 'failure', context: 'atlantis/plan', description: 'Autoplan failed.' }).catch(() => undefined);
    await reply(ctx, repo, number, errorComment(err, 'autoplan', ctx.delivery));
  }
}

async function cleanup(ctx: BotContext, repo: string, number: number): Promise<void> {
  const actor = systemActor('github:pr-closed', ctx.options.tenantId, 'member', 'github');
  const locks = await ctx.core.pullRequests!.closed(actor, { repoFullName: repo, number });
  if (!locks.length) return;
  const byDir = new Map<string, string[]>();
  for (const l of locks) byDir.set(l.dir, [...(byDir.get(l.dir) ?? []), l.workspace]);
  await reply(ctx, repo, number, renderLocksDeleted([...byDir].map(([dir, workspaces]) => ({ dir, workspaces }))));
}
