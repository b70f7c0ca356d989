import { actorFromRepoPermission } from '../../core/auth/vcs-actor.js';
import { DomainError } from '../../core/errors.js';
import { isRunnable, parseComment, type RunnableCommand } from '../commands/grammar.js';
import type { BotContext } from './github-bot.js';
import { renderUnlocked } from './render.js';
import { errorComment, NOT_ALLOWLISTED, reply } from './replies.js';

/** `atlantis <command>` in a pull request comment. */
export async function handleIssueComment(ctx: BotContext, payload: Record<string, any>): Promise<void> {
  if (!payload.issue?.pull_request) return ctx.log.debug('ignoring a comment on an issue');
  const repo: string = payload.repository.full_name;
  const number: number = payload.issue.number;
  const login: string = payload.comment.user.login;
  const { options } = ctx;
  const parsed = parseComment(payload.comment.body ?? '', {
    executableNames: [...new Set([options.executableName, 'atlantis', 'atlantas'])], botUser: options.botUser,
    commentAuthor: login, blockedExtraArgs: options.blockedExtraArgs, allowCommands: ['version', 'plan', 'apply', 'unlock', 'approve_policies', 'cancel'],
  });
  if (parsed.ignored) return ctx.log.debug('ignoring a comment not addressed to the bot');
  if (!ctx.core.repoPolicy.isAllowed(repo)) return reply(ctx, repo, number, NOT_ALLOWLISTED(repo));
  await ctx.vcs.addReaction(repo, payload.comment.id, 'eyes').catch((err) => ctx.log.warn({ err }, 'could not react to the comment'));
  if (parsed.error !== undefined) return reply(ctx, repo, number, parsed.error);
  if (!isRunnable(parsed)) return reply(ctx, repo, number, parsed.helpText ?? '');
  try {
    await run(ctx, repo, number, login, payload.comment.id, parsed);
  } catch (err) {
    if (!(err instanceof DomainError)) ctx.log.error({ err }, `${parsed.command} failed`);
    await reply(ctx, repo, number, errorComment(err, parsed.command, ctx.delivery));
  }
}

async function run(ctx: BotContext, repo: string, number: number, login: string, commentId: number, cmd: RunnableCommand): Promise<void> {
  const { core, vcs, options } = ctx;
  const permission = options.requireWrite ? await vcs.getPermission(repo, login) : 'write';
  const actor = actorFromRepoPermission(options.tenantId, login, permission, { requireWrite: options.requireWrite, command: cmd.command });
  const pull = await vcs.getPullRequest(repo, number);
  const sel = { project: cmd.project, dir: cmd.dir, workspace: cmd.workspace, extraArgs: cmd.extraArgs, verbose: cmd.verbose, commentId, source: 'pr_comment' as const };
  switch (cmd.command) {
    case 'plan':
      await vcs.setCommitStatus(repo, pull.headSha, { state: 'pending', context: 'atlantis/plan', description: 'Plan in progress...' });
      await core.pullRequests!.plan(actor, pull, sel);
      return;
    case 'apply':
      await vcs.setCommitStatus(repo, pull.headSha, { state: 'pending', context: 'atlantis/apply', description: 'Apply in progress...' });
      await core.pullRequests!.apply(actor, pull, sel);
      return;
    case 'unlock':
      await core.pullRequests!.unlock(actor, pull);
      return reply(ctx, repo, number, renderUnlocked());
    case 'cancel': {
      const canceled = await core.pullRequests!.cancel(actor, pull);
      return reply(ctx, repo, number, canceled.length ? `Canceled ${canceled.length} queued run(s) of this pull request. Runs already executing were not interrupted.` : 'There were no queued runs to cancel for this pull request.');
    }
    case 'version':
      return reply(ctx, repo, number, '```\n' + `Terraform v${await core.runner.version()}` + '\n```');
    case 'approve_policies':
      return reply(ctx, repo, number, 'No policy checks are configured on this server: there is nothing to approve.');
    default:
      return reply(ctx, repo, number, `\`${cmd.command}\` is not supported by this server yet.`);
  }
}
