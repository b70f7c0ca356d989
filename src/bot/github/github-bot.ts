import type { Logger } from '../../logger.js';
import type { Core } from '../../core/index.js';
import type { VcsHost } from '../../core/ports/vcs-host.js';
import type { BotContext, GitHubBotOptions } from './bot-context.js';
import { handleIssueComment } from './pr-comment.handler.js';
import { handlePullRequest } from './pr-event.handler.js';

export type { BotContext, GitHubBotOptions } from './bot-context.js';

/** Routes GitHub events to their handlers, after the webhook was acknowledged; tracks work in flight. */
export class GitHubBot {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: { core: Core; vcs: VcsHost; options: GitHubBotOptions; log: Logger }) {}

  /** `tenantId`: the tenant the delivery acts in (who registered its installation); the default tenant's when omitted */
  dispatch(event: string, payload: Record<string, unknown>, delivery: string, tenantId = this.deps.options.tenantId): void {
    const log = this.deps.log.child({ delivery, event: `${event}.${String(payload.action ?? '')}`, tenantId });
    const ctx: BotContext = { ...this.deps, options: { ...this.deps.options, tenantId }, log, delivery };
    const work = this.route(event, payload, ctx)
      .catch((err) => log.error({ err }, 'webhook handling failed'))
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  /** Resolves when every event received so far has been handled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** Only new comments act: an edited or deleted comment runs nothing (as in Atlantis). */
  private async route(event: string, payload: Record<string, any>, ctx: BotContext): Promise<void> {
    if (event === 'issue_comment' && payload.action === 'created') return handleIssueComment(ctx, payload);
    if (event === 'pull_request') return handlePullRequest(ctx, payload);
    ctx.log.debug('ignoring unsupported event');
  }
}
