import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../harness/fake-slack.js';
import { sendSlashCommand } from '../../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';

const SECRET = 'slack-signing-secret-for-tests';
const CLIENT = { id: '1234.5678', secret: 'oauth-client-secret' };

/** Slack's OAuth install flow: an admin's link → Slack's authorize page → back with a code → stored in that admin's tenant. */
describe('Slack: the OAuth install flow stores a workspace for the tenant of the admin who started it', () => {
  let slack: FakeSlack;
  let app: TestApp;

  beforeAll(async () => {
    slack = await startFakeSlack();
    app = await startTestApp({
      env: {
        SLACK_SIGNING_SECRET: SECRET, ATLANTAS_SLACK_API_URL: slack.apiUrl,
        SLACK_CLIENT_ID: CLIENT.id, SLACK_CLIENT_SECRET: CLIENT.secret, SLACK_STATE_SECRET: 'state-secret-of-at-least-16',
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await slack?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { redirect: 'manual', headers });

  /** Follows the install link to Slack's authorize URL; returns the state and the browser's cookie. */
  async function startInstall(adminToken: string) {
    const link = await app.req('POST', '/api/v1/slack/install-links', { token: adminToken });
    expect(link.status, link.text).toBe(201);
    const res = await get(link.body.url);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://slack.com/oauth/v2/authorize');
    expect(location.searchParams.get('client_id')).toBe(CLIENT.id);
    expect(location.searchParams.get('scope')).toBe('commands,chat:write,chat:write.public,users:read,users:read.email');
    return { state: location.searchParams.get('state')!, cookie: res.headers.get('set-cookie')!.split(';')[0] };
  }

  it('installs into the admin\'s tenant, seals the token, and serves the workspace there', async () => {
    const tenant = await app.factories.tenant();
    const ws = slack.addWorkspace({ teamId: 'TOAUTH', teamName: 'oauth-team' });
    const { state, cookie } = await startInstall(tenant.adminToken);
    slack.oauthCode('code-1', ws, CLIENT);
    const back = await get(`${app.url}/slack/oauth_redirect?code=code-1&state=${encodeURIComponent(state)}`, { cookie });
    expect(back.status).toBe(200);
    expect(await back.text()).toContain('Atlantas is installed in the Slack workspace oauth-team.');
    expect(slack.callsTo('oauth.v2.access')).toEqual([expect.objectContaining({ args: expect.objectContaining({ code: 'code-1', client_id: CLIENT.id }) })]);
    const listed = await app.req('GET', '/api/v1/slack/installations', { token: tenant.adminToken });
    expect(listed.body).toEqual([expect.objectContaining({ team_id: 'TOAUTH', team_name: 'oauth-team', bot_user_id: ws.botUserId })]);
    expect(listed.text).not.toContain(ws.botToken);
    const audit = await app.req('GET', '/api/v1/audit?action=slack.install', { token: tenant.adminToken });
    expect(audit.body).toEqual([expect.objectContaining({ action: 'slack.install' })]);

    const member = await app.factories.user({ tenantId: tenant.id });
    slack.addUser(ws.teamId, { id: 'UOAUTH', email: member.email });
    const responseUrl = slack.responseUrl();
    await sendSlashCommand(app.url, { teamId: ws.teamId, userId: 'UOAUTH', text: 'whoami', responseUrl }, { secret: SECRET });
    await app.slackIdle();
    expect(slack.responses(responseUrl).map((r) => r.text)).toEqual([`You are *${member.email}* (role \`member\`) in tenant *${tenant.slug}*.`]);
  });

  it('refuses a forged ticket before Slack, a member\'s install link, and a callback without the browser\'s state cookie', async () => {
    const forged = await get(`${app.url}/slack/install?ticket=eyJ4Ijoi.bm90LXNpZ25lZA`);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('location')).toBeNull();
    const member = await app.factories.user({ role: 'member' });
    expect((await app.req('POST', '/api/v1/slack/install-links', { token: member.token })).status).toBe(403);

    const ws = slack.addWorkspace({ teamId: 'TNOCOOKIE' });
    const { state } = await startInstall(app.admin.token);
    slack.oauthCode('code-2', ws, CLIENT);
    const back = await get(`${app.url}/slack/oauth_redirect?code=code-2&state=${encodeURIComponent(state)}`);
    expect(back.status).toBe(400);
    expect(await back.text()).toContain('Slack install failed');
    expect(await app.sql(`SELECT team_id FROM slack_installations WHERE team_id = 'TNOCOOKIE'`)).toEqual([]);
  });

  it('does not let a second tenant take an installed workspace through OAuth', async () => {
    const other = await app.factories.tenant();
    const ws = slack.addWorkspace({ teamId: 'TOAUTH2' });
    const first = await app.factories.tenant();
    expect((await app.req('POST', '/api/v1/slack/installations', { token: first.adminToken, body: { team_id: ws.teamId, bot_token: ws.botToken } })).status).toBe(201);
    const { state, cookie } = await startInstall(other.adminToken);
    slack.oauthCode('code-3', ws, CLIENT);
    const back = await get(`${app.url}/slack/oauth_redirect?code=code-3&state=${encodeURIComponent(state)}`, { cookie });
    expect(back.status).toBe(400);
    expect(await back.text()).toContain('Slack install failed: Slack workspace TOAUTH2 is connected to another tenant');
    expect((await app.req('GET', '/api/v1/slack/installations', { token: other.adminToken })).body).toEqual([]);
  });
});
