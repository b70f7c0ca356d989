import { DomainError } from '../../core/errors.js';
import type { BotContext } from './bot-context.js';

/** Posts a reply on the PR; a failure to post is logged, never thrown (nothing else to tell). */
export async function reply(ctx: BotContext, repo: string, pr: number, body: string): Promise<void> {
  try {
    await ctx.vcs.createComment(repo, pr, body);
  } catch (err) {
    ctx.log.error({ err }, 'could not comment on the pull request');
  }
}

/** A refusal or failure as a PR comment: domain errors by their message, anything else by delivery id. */
export function errorComment(err: unknown, command: string, delivery: string): string {
  if (err instanceof DomainError) return '```\nError: ' + err.message + '\n```';
  return `\`\`\`\nError: running \`${command}\` failed unexpectedly. The Atlantas logs have the details under delivery ${delivery}.\n\`\`\``;
}
