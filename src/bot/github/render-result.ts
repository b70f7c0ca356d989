import { DomainError } from '../../core/errors.js';
import type { PrCommentResult, PrEventResult } from '../../core/pull-requests/pr-workflow.types.js';
import type { BotContext } from './bot-context.js';
import { renderLocksDeleted, renderUnlocked } from './render.js';
import { errorComment } from './replies.js';

/**
 * The comment answering a PR comment command, or null when there is nothing to say now (a queued
 * command is answered by the reporter once its runs settle; a replayed comment is not answered).
 */
export function renderCommentResult(result: PrCommentResult, ctx: BotContext): string | null {
  switch (result.kind) {
    case 'duplicate':
      ctx.log.info('this comment was already acted on (same comment id under a new delivery); ignored');
      return null;
    case 'queued':
      return null;
    case 'reply':
      return result.text;
    case 'unlocked':
      return renderUnlocked();
    case 'canceled':
      return result.runs.length
        ? `Canceled ${result.runs.length} queued run(s) of this pull request. Runs already executing were not interrupted.`
        : 'There were no queued runs to cancel for this pull request.';
    case 'version':
      return '```\n' + `Terraform v${result.terraformVersion}` + '\n```';
    case 'no_policies':
      return 'No policy checks are configured on this server: there is nothing to approve.';
    case 'unsupported':
      return `\`${result.command}\` is not supported by this server yet.`;
    case 'refused':
      return refusal(result.error, result.command, ctx);
  }
}

/** The comment after a PR event: the locks a closed PR released, or why autoplan could not run. */
export function renderEventResult(result: Exclude<PrEventResult, { kind: 'ignored' }>, ctx: BotContext): string | null {
  if (result.kind === 'queued') return null;
  if (result.kind === 'refused') return refusal(result.error, result.command, ctx);
  if (!result.locks.length) return null;
  const byDir = new Map<string, string[]>();
  for (const l of result.locks) byDir.set(l.dir, [...(byDir.get(l.dir) ?? []), l.workspace]);
  return renderLocksDeleted([...byDir].map(([dir, workspaces]) => ({ dir, workspaces })));
}

/** Domain refusals say what to fix; anything else is logged here, once, and the comment cites the delivery. */
function refusal(error: unknown, command: string, ctx: BotContext): string {
  if (!(error instanceof DomainError)) ctx.log.error({ err: error }, `${command} failed`);
  return errorComment(error, command, ctx.delivery);
}
