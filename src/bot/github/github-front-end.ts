import type { Config } from '../../config.js';
import type { Core } from '../../core/index.js';
import type { Logger } from '../../logger.js';
import { GitHubBot } from './github-bot.js';
import type { GitHubVcsHost } from './github-vcs-host.js';
import { PrApprovalCommentChannel } from './approval-comment.channel.js';
import { PrReporter } from './pr-reporter.js';
import { githubWebhooksRouter } from './webhooks.router.js';

/** The GitHub front end: the webhook route (tenants' Apps and the server-wide webhook), the bot behind it, the reporter of PR results, and approval requests on PRs. */
export function createGitHubFrontEnd(core: Core, vcs: GitHubVcsHost, config: Config, tenantId: string, log: Logger, options: { serverWide: boolean }) {
  const ghLog = log.child({ via: 'github' });
  const bot = new GitHubBot({
    core, vcs, log: ghLog,
    options: { tenantId, executableName: config.github.executableName, botUser: config.github.user },
  });
  const reporter = new PrReporter({ core, vcs, executableName: config.github.executableName, publicUrl: config.publicUrl, log: ghLog });
  const router = githubWebhooksRouter({
    bot, apps: core.githubApps, deliveries: core.webhookDeliveries, bodyLimit: config.github.webhookBodyLimit,
    server: options.serverWide && config.github.webhookSecret
      ? { secret: config.github.webhookSecret, tenantId, installationId: config.github.appId ? config.github.installationId : undefined }
      : undefined,
  });
  /** asks the PR for a person's approval when an agent wants to apply one of its runs (the notifications outbox) */
  const approvalComments = new PrApprovalCommentChannel({ core, vcs, executableName: config.github.executableName, publicUrl: config.publicUrl, log: ghLog });
  return { bot, reporter, router, approvalComments };
}
