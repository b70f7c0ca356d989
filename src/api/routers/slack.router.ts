import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import { UnavailableError } from '../../core/errors.js';
import type { SlackInstallationView } from '../../core/slack/slack.service.js';
import { CreateSlackInstallationInput } from '../../core/slack/slack.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

const installationJson = (i: SlackInstallationView) => ({
  id: i.id, team_id: i.teamId, team_name: i.teamName, bot_user_id: i.botUserId, default_channel: i.defaultChannel,
  installed_by: i.installedBy, created_at: new Date(i.createdAt).toISOString(), updated_at: new Date(i.updatedAt).toISOString(),
});

/** Slack workspaces of the caller's tenant, the OAuth install link, and the caller's Slack link code. */
export function slackApiRouter(core: Core, options: { oauth: boolean; publicUrl?: string }) {
  const router = new Router<AppState>({ prefix: '/api/v1' });
  router.use(requireActor(core));
  router.get('/slack/installations', async (ctx) => {
    ctx.body = (await core.slack.list(ctx.state.actor)).map(installationJson);
  });
  router.post('/slack/installations', async (ctx) => {
    ctx.body = installationJson(await core.slack.install(ctx.state.actor, parse(CreateSlackInstallationInput, ctx.request.body)));
    ctx.status = 201;
  });
  router.delete('/slack/installations/:teamId', async (ctx) => {
    await core.slack.uninstall(ctx.state.actor, ctx.params.teamId);
    ctx.status = 204;
  });
  router.post('/slack/install-links', async (ctx) => {
    if (!options.oauth) throw new UnavailableError('the Slack OAuth install flow is off: set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET', { code: 'slack.oauth_off' });
    const { ticket, expiresAt } = core.slack.installTicket(ctx.state.actor);
    const base = options.publicUrl ?? `${ctx.protocol}://${ctx.host}`; // without ATLANTAS_URL: where this request came in
    ctx.body = { url: `${base}/slack/install?ticket=${encodeURIComponent(ticket)}`, expires_at: expiresAt.toISOString() };
    ctx.status = 201;
  });
  router.post('/users/me/slack-link', async (ctx) => {
    const { code, expiresAt } = await core.slack.createLinkCode(ctx.state.actor);
    ctx.body = { code, expires_at: expiresAt.toISOString() };
    ctx.status = 201;
  });
  return router;
}
