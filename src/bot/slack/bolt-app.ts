import { App, SocketModeReceiver, type Authorize, type Receiver } from '@slack/bolt';
import type { Core } from '../../core/index.js';
import type { Logger } from '../../logger.js';
import { APPROVE_ACTION, DISCARD_ACTION } from './blocks.js';
import { buttonHandler } from './actions.handler.js';
import { APPROVE_REQUEST_ACTION, REJECT_REQUEST_ACTION } from './approval-blocks.js';
import { approvalButtonHandler } from './approval-card.js';
import { ACKNOWLEDGE_INCIDENT_ACTION, RESOLVE_INCIDENT_ACTION } from './incident-blocks.js';
import { incidentButtonHandler } from './incident-card.js';
import { boltLogger } from './bolt-logger.js';
import { PLAN_REMEDIATION_ACTION } from './drift-messages.js';
import { planRemediationHandler } from './drift-remediation.handler.js';
import type { ServerWorkspace } from './server-workspace.js';
import type { SlackDeps } from './slack-context.js';
import { slashCommandHandler } from './slash-command.handler.js';

export interface BoltAppOptions {
  deps: SlackDeps;
  server: ServerWorkspace;
  /** SLACK_BOT_TOKEN, for the server's own workspace */
  serverToken?: string;
  /** ATLANTAS_SLACK_API_URL */
  apiUrl?: string;
  /** ATLANTAS_URL, for links on cards */
  publicUrl?: string;
  /** our Koa receiver; or Socket Mode with this app-level token */
  transport: { receiver: Receiver } | { appToken: string };
}

/** The Bolt app: the slash command and the card buttons, authorized per team by core. */
export function createBoltApp(o: BoltAppOptions): App {
  const log = o.deps.log;
  const boltLog = boltLogger(log.child({ via: 'slack', part: 'bolt' }));
  // Socket Mode's own client (apps.connections.open) also goes to ATLANTAS_SLACK_API_URL.
  const receiver = 'receiver' in o.transport
    ? o.transport.receiver
    : new SocketModeReceiver({ appToken: o.transport.appToken, logger: boltLog, installerOptions: { clientOptions: { slackApiUrl: o.apiUrl } } });
  const app = new App({
    receiver,
    authorize: authorizeByTeam(o.deps.core, o.server, o.serverToken),
    // A 429 waits its Retry-After, a 5xx backs off; a few tries, so a listener (or shutdown) never hangs for long.
    clientOptions: { slackApiUrl: o.apiUrl, retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 10_000 } },
    logger: boltLog,
  });
  app.error(async (err) => {
    log.error({ err }, 'Slack listener failed');
  });
  app.command('/atlantas', slashCommandHandler(o.deps));
  app.action(APPROVE_ACTION, buttonHandler(o.deps, 'apply'));
  app.action(DISCARD_ACTION, buttonHandler(o.deps, 'discard'));
  app.action(APPROVE_REQUEST_ACTION, approvalButtonHandler(o.deps, 'approved'));
  app.action(REJECT_REQUEST_ACTION, approvalButtonHandler(o.deps, 'rejected'));
  app.action(ACKNOWLEDGE_INCIDENT_ACTION, incidentButtonHandler(o.deps, 'acknowledge', o.publicUrl));
  app.action(RESOLVE_INCIDENT_ACTION, incidentButtonHandler(o.deps, 'resolve', o.publicUrl));
  app.action(PLAN_REMEDIATION_ACTION, planRemediationHandler(o.deps));
  app.action('open_run', async ({ ack }) => ack()); // a URL button: Slack still sends the click
  const forget = async (teamId: string | undefined) => {
    if (teamId && (await o.deps.core.slack.uninstalledInSlack(teamId))) log.info({ team: teamId }, 'Slack: the workspace removed the app or revoked its token; its installation is gone');
  };
  app.event('app_uninstalled', async ({ body }) => forget(body.team_id));
  app.event('tokens_revoked', async ({ body, event }) => {
    if (event.tokens.bot?.length) await forget(body.team_id);
  });
  return app;
}

/**
 * The team id decides the tenant. A workspace nobody owns gets no token: its listeners see no
 * workspace in the context and answer the polite refusal, and nothing else happens.
 */
function authorizeByTeam(core: Core, server: ServerWorkspace, serverToken: string | undefined): Authorize<boolean> {
  return async ({ teamId }) => {
    if (!teamId) return {};
    let ws = await core.slack.workspace(teamId);
    if (!ws && (await server.learn())) ws = await core.slack.workspace(teamId);
    if (!ws) return { teamId };
    return { teamId, botToken: ws.botToken ?? serverToken, botUserId: ws.botUserId ?? undefined, atlantas: ws };
  };
}
