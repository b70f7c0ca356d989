import type { Config } from '../../config.js';
import type { Core } from '../../core/index.js';
import type { Logger } from '../../logger.js';
import { GitHubBot } from './github-bot.js';
import type { GitHubVcsHost } from './github-vcs-host.js';
import { PrReporter } from './pr-reporter.js';
import { githubWebhooksRouter } from './webhooks.router.js';

/** The GitHub front end: the webhook route, the bot behind it, and the reporter of PR results. */
export function createGitHubFrontEnd(core: Core, vcs: GitHubVcsHost, config: Config, tenantId: string, log: Logger) {
  const ghLog = log.child({ via: 'github' });
  const bot = new GitHubBot({
    core, vcs, log: ghLog,
    options: { tenantId, executableName: config.github.executableName, botUser: config.github.user },
  });
  const reporter = new PrReporter({ core, vcs, executableName: config.github.executableName, publicUrl: config.publicUrl, log: ghLog });
  const router = githubWebhooksRouter({ bot, secret: config.github.webhookSecret!, deliveries: core.webhookDeliveries, bodyLimit: config.github.webhookBodyLimit });
  return { bot, reporter, router };
}
