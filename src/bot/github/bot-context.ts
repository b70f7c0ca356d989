import type { Core } from '../../core/index.js';
import type { VcsHost } from '../../core/ports/vcs-host.js';
import type { Logger } from '../../logger.js';

export interface GitHubBotOptions {
  /** the tenant this delivery acts in: the one that registered its installation, else the default tenant */
  tenantId: string;
  executableName: string;
  botUser?: string;
}

/** What a handler of one webhook delivery gets: the core, the PR host to answer on, its own logger. */
export interface BotContext {
  core: Core;
  vcs: VcsHost;
  options: GitHubBotOptions;
  log: Logger;
  delivery: string;
}
