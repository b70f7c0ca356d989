import type { PrCommentInput } from '../../core/pull-requests/pr-workflow.types.js';
import { isRunnable, parseComment, type ParsedCommand } from '../commands/grammar.js';
import type { BotContext } from './bot-context.js';
import { renderCommentResult } from './render-result.js';
import { reply } from './replies.js';

const ALLOW_COMMANDS = ['version', 'plan', 'apply', 'unlock', 'approve_policies', 'cancel'];

/** `atlantis <command>` in a new pull request comment: parse, one core call, render the answer. */
export async function handleIssueComment(ctx: BotContext, payload: Record<string, any>): Promise<void> {
  if (!payload.issue?.pull_request) return ctx.log.debug('ignoring a comment on an issue');
  const { executableName, botUser, tenantId } = ctx.options;
  const login: string = payload.comment.user.login;
  const parsed = parseComment(payload.comment.body ?? '', {
    executableNames: [...new Set([executableName, 'atlantis', 'atlantas'])], botUser, commentAuthor: login, allowCommands: ALLOW_COMMANDS,
  });
  if (parsed.ignored) return ctx.log.debug('ignoring a comment not addressed to the bot');
  const input: PrCommentInput = {
    tenantId, repoFullName: payload.repository.full_name, prNumber: payload.issue.number, commentId: payload.comment.id,
    authorLogin: login, delivery: ctx.delivery, request: toRequest(parsed),
  };
  const body = renderCommentResult(await ctx.core.prWorkflow!.comment(input), ctx);
  if (body) await reply(ctx, input.repoFullName, input.prNumber, body);
}

function toRequest(parsed: ParsedCommand): PrCommentInput['request'] {
  if (!isRunnable(parsed)) return { kind: 'reply', text: parsed.error ?? parsed.helpText ?? '' };
  const { command: name, project, dir, workspace, extraArgs, verbose } = parsed;
  return { kind: 'command', command: { name, project, dir, workspace, extraArgs, verbose } };
}
