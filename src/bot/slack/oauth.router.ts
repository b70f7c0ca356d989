import type { ServerResponse } from 'node:http';
import Router from '@koa/router';
import { InstallProvider, type Installation, type InstallationStore } from '@slack/oauth';
import { DomainError, UnavailableError } from '../../core/errors.js';
import type { Core } from '../../core/index.js';
import type { Logger } from '../../logger.js';
import type { AppState } from '../../api/types.js';
import { boltLogger } from './bolt-logger.js';

/** What the app asks a workspace for (slack-app-manifest.yaml lists the same). */
export const BOT_SCOPES = ['commands', 'chat:write', 'chat:write.public', 'users:read', 'users:read.email'];

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  apiUrl?: string;
  publicUrl?: string;
  /** Slack's authorize page; only tests change it */
  authorizationUrl?: string;
}

/**
 * Slack's OAuth install flow (@slack/oauth): GET /slack/install takes an admin's install ticket
 * (POST /api/v1/slack/install-links) and redirects to Slack with a signed state bound to a
 * browser cookie; GET /slack/oauth_redirect exchanges the code (oauth.v2.access) and core stores
 * the installation in the ticket's tenant. A ticket that is forged or expired never reaches Slack.
 */
export function slackOAuthRouter(core: Core, o: OAuthOptions, log: Logger): Router<AppState> {
  const installer = new InstallProvider({
    clientId: o.clientId, clientSecret: o.clientSecret, stateSecret: o.stateSecret, directInstall: true,
    installationStore: storeInCore(core), clientOptions: { slackApiUrl: o.apiUrl }, logger: boltLogger(log.child({ part: 'oauth' })),
    ...(o.authorizationUrl ? { authorizationUrl: o.authorizationUrl } : {}),
  });
  const redirectUri = o.publicUrl ? `${o.publicUrl}/slack/oauth_redirect` : undefined;
  const router = new Router<AppState>();
  router.get('/slack/install', async (ctx) => {
    const ticket = typeof ctx.query.ticket === 'string' ? ctx.query.ticket : '';
    core.slack.checkInstallTicket(ticket);
    ctx.respond = false;
    await installer.handleInstallPath(ctx.req, ctx.res, {}, { scopes: BOT_SCOPES, metadata: ticket, redirectUri });
  });
  router.get('/slack/oauth_redirect', async (ctx) => {
    ctx.respond = false;
    await installer.handleCallback(ctx.req, ctx.res, {
      successAsync: async (installation, _options, _req, res) => page(res, 200, `Atlantas is installed in the Slack workspace ${installation.team?.name ?? installation.team?.id}. Type /atlantas help there.`),
      failureAsync: async (error, _options, _req, res) => {
        const cause = (error as { original?: unknown }).original ?? error;
        page(res, 400, cause instanceof DomainError ? `Slack install failed: ${cause.message}` : 'Slack install failed: the authorization could not be verified or completed. Start again from a new install link.');
      },
    });
  });
  return router;
}

function storeInCore(core: Core): InstallationStore {
  return {
    async storeInstallation(installation: Installation<'v1' | 'v2', boolean>) {
      if (!installation.team || !installation.bot?.token) {
        throw new UnavailableError('Slack granted no bot token for a workspace (an Enterprise Grid org install is not supported)', { code: 'slack.install_unsupported' });
      }
      await core.slack.installFromOAuth(installation.metadata ?? '', {
        teamId: installation.team.id, teamName: installation.team.name ?? '', botToken: installation.bot.token,
        botUserId: installation.bot.userId ?? null, channel: installation.incomingWebhook?.channelId ?? null,
      });
    },
    // Requests are authorized by core (bolt-app.ts authorizeByTeam), never from this store.
    async fetchInstallation() {
      throw new Error('installations are read through core.slack.workspace');
    },
  };
}

function page(res: ServerResponse, status: number, message: string): void {
  const text = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Atlantas</title></head><body><p>${text}</p></body></html>`);
}
