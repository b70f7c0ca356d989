import { WebClient } from '@slack/web-api';
import type { Core } from '../../core/index.js';
import type { Logger } from '../../logger.js';

const RETRY_AFTER_MS = 30_000;

/**
 * SLACK_BOT_TOKEN's workspace serves the default tenant. Which team that is, Slack says in
 * auth.test; it is asked at start and, when Slack was not reachable then, again (at most every
 * 30 s) when a request arrives from a team nobody owns.
 */
export class ServerWorkspace {
  private learned = false;
  private lastTry = 0;

  constructor(private readonly deps: { core: Core; token?: string; apiUrl?: string; tenantId: string; channel?: string; log: Logger }) {}

  /** True when the server's workspace is known (now or before). */
  async learn(): Promise<boolean> {
    if (this.learned || !this.deps.token) return this.learned;
    if (Date.now() - this.lastTry < RETRY_AFTER_MS) return false;
    this.lastTry = Date.now();
    try {
      const client = new WebClient(this.deps.token, { slackApiUrl: this.deps.apiUrl, retryConfig: { retries: 0 } });
      const auth = await client.auth.test();
      this.deps.core.slack.adoptServerWorkspace({ teamId: auth.team_id!, tenantId: this.deps.tenantId, botUserId: auth.user_id ?? null, defaultChannel: this.deps.channel ?? null });
      this.learned = true;
      this.deps.log.info({ team: auth.team_id }, 'Slack: SLACK_BOT_TOKEN serves the default tenant');
    } catch (err) {
      this.deps.log.warn({ err }, 'Slack: auth.test with SLACK_BOT_TOKEN failed; the server\'s workspace is unknown until it works');
    }
    return this.learned;
  }
}
