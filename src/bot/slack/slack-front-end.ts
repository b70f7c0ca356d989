import type Router from '@koa/router';
import type { Config } from '../../config.js';
import type { Core } from '../../core/index.js';
import type { Logger } from '../../logger.js';
import type { AppState } from '../../api/types.js';
import { createBoltApp } from './bolt-app.js';
import { CardUpdater } from './card-updater.js';
import { KoaSlackReceiver } from './koa-receiver.js';
import { slackOAuthRouter } from './oauth.router.js';
import { ServerWorkspace } from './server-workspace.js';
import { SlackNotificationChannel } from './slack-notifier.js';

export interface SlackFrontEnd {
  /** POST /slack/events (not in Socket Mode), and the OAuth install flow when configured */
  routers: Router<AppState>[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** the notifications outbox's Slack channel (core.internals.notifications.register) */
  channel: SlackNotificationChannel;
  /** resolves when every Slack request received so far is handled and no card is being followed (tests) */
  idle(): Promise<void>;
}

/**
 * The Slack front end: on when SLACK_SIGNING_SECRET (HTTP, POST /slack/events) or SLACK_APP_TOKEN
 * (Socket Mode) is set. Serves the server's own workspace (SLACK_BOT_TOKEN) for the default tenant
 * and every workspace a tenant installed.
 */
export function createSlackFrontEnd(core: Core, config: Config, defaultTenantId: string, log: Logger): SlackFrontEnd | undefined {
  const { slack } = config;
  if (!slack.signingSecret && !slack.appToken) return undefined;
  const slackLog = log.child({ via: 'slack' });
  const cards = new CardUpdater({ core, log: slackLog, publicUrl: config.publicUrl });
  const server = new ServerWorkspace({ core, token: slack.botToken, apiUrl: slack.apiUrl, tenantId: defaultTenantId, channel: config.notifications.slackChannel, log: slackLog });
  const receiver = slack.appToken ? undefined : new KoaSlackReceiver({ signingSecret: slack.signingSecret!, bodyLimit: config.http.bodyLimit, log: slackLog });
  const app = createBoltApp({
    deps: { core, log: slackLog, cards }, server, serverToken: slack.botToken, apiUrl: slack.apiUrl, publicUrl: config.publicUrl,
    transport: receiver ? { receiver } : { appToken: slack.appToken! },
  });
  const oauth = slack.oauth ? slackOAuthRouter(core, { ...slack.oauth, apiUrl: slack.apiUrl, publicUrl: config.publicUrl }, slackLog) : undefined;
  return {
    channel: new SlackNotificationChannel({ core, log: slackLog, serverToken: slack.botToken, apiUrl: slack.apiUrl, publicUrl: config.publicUrl }),
    routers: [...(receiver ? [receiver.router()] : []), ...(oauth ? [oauth] : [])],
    async start() {
      await server.learn();
      if (!receiver) await app.start(); // Socket Mode opens its websocket; HTTP needs no start
    },
    async stop() {
      if (!receiver) await app.stop();
      await receiver?.stop();
      await cards.stop();
    },
    async idle() {
      await receiver?.idle();
      await cards.idle();
    },
  };
}
