import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack, type FakeWorkspace } from '../../harness/fake-slack.js';
import { postSlack, sendSlashCommand, type SlashCommand } from '../../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';

const SECRET = 'slack-signing-secret-for-tests';

/**
 * POST /slack/events with requests signed and shaped as Slack sends them, against the real Bolt
 * app in the real server, a fake Slack Web API on loopback and real PostgreSQL.
 */
describe('Slack: signed requests, workspaces of tenants, who a Slack user is', () => {
  let slack: FakeSlack;
  let app: TestApp;
  let home: FakeWorkspace;
  let member: { id: string; email: string; token: string };

  beforeAll(async () => {
    slack = await startFakeSlack();
    home = slack.addWorkspace({ teamId: 'THOME', teamName: 'home' });
    app = await startTestApp({ env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: home.botToken, ATLANTAS_SLACK_API_URL: slack.apiUrl } });
    member = await app.factories.user({ role: 'member' });
    slack.addUser(home.teamId, { id: 'UMEMBER', email: member.email.toUpperCase() });
    slack.addUser(home.teamId, { id: 'UNCONFIRMED', email: member.email, emailConfirmed: false });
    slack.addUser(home.teamId, { id: 'USTRANGER', email: 'nobody@example.com' });
  });
  afterAll(async () => {
    await app?.close();
    await slack?.close();
  });

  /** Sends a slash command and returns the HTTP answer (the ack) and what was posted to its response_url. */
  async function command(c: Omit<SlashCommand, 'responseUrl' | 'teamId'> & { teamId?: string }, sign: { timestamp?: number; signature?: string } = {}) {
    const responseUrl = slack.responseUrl();
    const res = await sendSlashCommand(app.url, { teamId: home.teamId, ...c, responseUrl }, { secret: SECRET, ...sign });
    await app.slackIdle();
    return { res, responses: slack.responses(responseUrl), texts: slack.responses(responseUrl).map((r) => r.text as string) };
  }

  it('answers url_verification with the challenge, and ssl_check unsigned', async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'c-123', type: 'url_verification' });
    const res = await postSlack(app.url, body, 'application/json', { secret: SECRET });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ challenge: 'c-123' });
    const ssl = await postSlack(app.url, 'ssl_check=1&token=x', 'application/x-www-form-urlencoded', { secret: 'wrong', signature: 'v0=nothing' });
    expect(ssl.status).toBe(200);
  });

  it('refuses a bad signature, a 6-minute-old and a future timestamp with 401, and does nothing', async () => {
    const before = slack.calls.length;
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      await command({ userId: 'UMEMBER', text: 'whoami' }, { signature: 'v0=' + '0'.repeat(64) }),
      await command({ userId: 'UMEMBER', text: 'whoami' }, { timestamp: now - 6 * 60 }),
      await command({ userId: 'UMEMBER', text: 'whoami' }, { timestamp: now + 6 * 60 }),
    ];
    for (const c of cases) {
      expect(c.res.status).toBe(401);
      expect(c.res.text).not.toContain('v0=');
      expect(c.responses).toEqual([]);
    }
    expect(slack.calls.length).toBe(before); // not even users.info
    // a signature made with another secret is just as bad
    const other = await sendSlashCommand(app.url, { teamId: home.teamId, userId: 'UMEMBER', text: 'whoami', responseUrl: slack.responseUrl() }, { secret: 'another-secret' });
    expect(other.status).toBe(401);
  });

  it('answers help in the ack, and an unknown subcommand with help', async () => {
    const help = await command({ userId: 'USTRANGER', text: 'help' });
    expect(help.res.status).toBe(200);
    expect(help.res.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/atlantas plan <owner/repo>[#PR]') });
    const unknown = await command({ userId: 'USTRANGER', text: 'frobnicate now' });
    expect(unknown.res.body.text).toMatch(/^Unknown command `frobnicate`\./);
    expect(unknown.res.body.text).toContain('/atlantas whoami');
  });

  it('answers plan usage errors with the PR grammar\'s texts', async () => {
    const bad = await command({ userId: 'UMEMBER', text: 'plan acme/infra -d ../etc' });
    expect(bad.res.body.text).toContain('Error: using a relative path "../etc" with -d/--dir is not allowed.');
    const conflict = await command({ userId: 'UMEMBER', text: 'plan acme/infra -p app -d net' });
    expect(conflict.res.body.text).toContain('Error: cannot use -p/--project at same time as -d/--dir or -w/--workspace.');
    const missing = await command({ userId: 'UMEMBER', text: 'plan -d net' });
    expect(missing.res.body.text).toContain('Error: missing argument(s) – expected <owner/repo>[#PR].');
  });

  it('matches a Slack user by confirmed email within the tenant', async () => {
    const me = await command({ userId: 'UMEMBER', text: 'whoami' });
    expect(me.res.status).toBe(200);
    expect(me.texts).toEqual([`You are *${member.email}* (role \`member\`) in tenant *Default*.`]);
    expect(me.responses[0].response_type).toBe('ephemeral');
    expect(slack.callsTo('users.info').at(-1)).toMatchObject({ token: home.botToken, args: { user: 'UMEMBER' } });
  });

  it('waits out a 429 from Slack for its Retry-After, then answers', async () => {
    slack.rateLimit('users.info', 1);
    const before = slack.callsTo('users.info').length;
    const me = await command({ userId: 'UMEMBER', text: 'whoami' });
    expect(me.texts).toEqual([`You are *${member.email}* (role \`member\`) in tenant *Default*.`]);
    const [limited, retried] = slack.callsTo('users.info').slice(before);
    expect([limited.status, retried.status]).toEqual([429, 200]);
    expect(retried.at - limited.at).toBeGreaterThanOrEqual(1000);
  });

  it('lets an unmatched user run only help and link', async () => {
    for (const user of ['USTRANGER', 'UNCONFIRMED', 'UNKNOWN']) {
      for (const text of ['whoami', 'runs', 'locks', 'plan acme/infra -d net', 'apply 00000000-0000-4000-8000-000000000000', 'unlock x']) {
        const r = await command({ userId: user, text });
        expect(r.texts, `${user}: ${text}`).toEqual([expect.stringContaining("I don't know who you are in Atlantas yet, so I can only show `help` and `link`.")]);
      }
    }
    expect(await app.sql(`SELECT id FROM runs`)).toEqual([]);
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it('links a Slack user with a one-time code from POST /api/v1/users/me/slack-link', async () => {
    const other = await app.factories.user({ role: 'viewer' });
    const issued = await app.req('POST', '/api/v1/users/me/slack-link', { token: other.token });
    expect(issued.status).toBe(201);
    expect(issued.body.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(new Date(issued.body.expires_at).getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    const linked = await command({ userId: 'USTRANGER', text: `link ${issued.body.code.toLowerCase()}` });
    expect(linked.texts).toEqual([`Linked: this Slack account now acts as *${other.email}* (role \`viewer\`).`]);
    expect((await command({ userId: 'USTRANGER', text: 'whoami' })).texts[0]).toContain(other.email);
    // once only
    const again = await command({ userId: 'UNCONFIRMED', text: `link ${issued.body.code}` });
    expect(again.texts).toEqual([':no_entry: this link code is unknown, used or expired; get a new one with POST /api/v1/users/me/slack-link']);
    expect((await command({ userId: 'UNCONFIRMED', text: 'whoami' })).texts[0]).toContain("I don't know who you are");
    // only the code's hash is stored
    const rows = await app.sql<{ code_hash: string }>(`SELECT code_hash FROM slack_link_codes`);
    expect(rows.map((r) => r.code_hash)).not.toContain(issued.body.code);
  });

  it('answers a workspace no tenant owns politely, and nothing else happens', async () => {
    const before = slack.calls.length;
    const r = await command({ teamId: 'TNOBODY', userId: 'UANY', text: 'runs' });
    expect(r.res.status).toBe(200);
    expect(r.res.body).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('This Slack workspace is not connected to Atlantas') });
    expect(r.responses).toEqual([]);
    expect(slack.calls.length).toBe(before);
  });

  it('serves an installed workspace in its own tenant only, and never shows its bot token', async () => {
    const tenant = await app.factories.tenant();
    const theirs = slack.addWorkspace({ teamId: 'TTHEIRS', teamName: 'theirs' });
    const member2 = await app.factories.user({ tenantId: tenant.id, role: 'member' });
    slack.addUser(theirs.teamId, { id: 'UTHEM', email: member2.email });
    slack.addUser(theirs.teamId, { id: 'UHOMEMAIL', email: member.email }); // a default-tenant email in their workspace matches nobody there

    const refused = await app.req('POST', '/api/v1/slack/installations', { token: member2.token, body: { team_id: theirs.teamId, bot_token: theirs.botToken } });
    expect(refused.status).toBe(403);
    const installed = await app.req('POST', '/api/v1/slack/installations', { token: tenant.adminToken, body: { team_id: theirs.teamId, bot_token: theirs.botToken, team_name: 'theirs' } });
    expect(installed.status).toBe(201);
    expect(installed.text).not.toContain(theirs.botToken);
    const listed = await app.req('GET', '/api/v1/slack/installations', { token: tenant.adminToken });
    expect(listed.body).toEqual([expect.objectContaining({ team_id: 'TTHEIRS', team_name: 'theirs' })]);
    expect(listed.text).not.toContain('xoxb-');
    expect((await app.req('GET', '/api/v1/slack/installations', { token: app.admin.token })).body).toEqual([]);
    const stored = await app.sql<{ bot_token: Buffer }>(`SELECT bot_token FROM slack_installations WHERE team_id = 'TTHEIRS'`);
    expect(Buffer.from(stored[0].bot_token).toString('latin1')).not.toContain(theirs.botToken);
    // the same workspace cannot be taken by a third tenant
    const third = await app.factories.tenant();
    const taken = await app.req('POST', '/api/v1/slack/installations', { token: third.adminToken, body: { team_id: theirs.teamId, bot_token: theirs.botToken } });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('slack.team_taken');

    const me = await command({ teamId: theirs.teamId, userId: 'UTHEM', text: 'whoami' });
    expect(me.texts).toEqual([`You are *${member2.email}* (role \`member\`) in tenant *${tenant.slug}*.`]);
    expect(slack.callsTo('users.info').at(-1)).toMatchObject({ token: theirs.botToken });
    const stranger = await command({ teamId: theirs.teamId, userId: 'UHOMEMAIL', text: 'whoami' });
    expect(stranger.texts[0]).toContain("I don't know who you are");
    // a project of the default tenant does not exist for them
    await app.req('POST', '/api/v1/projects', { token: member.token, body: { name: 'home-net', repository_url: 'acme/infra' } });
    expect((await command({ userId: 'UMEMBER', text: 'runs home-net' })).texts).toEqual(['No runs yet.']);
    expect((await command({ teamId: theirs.teamId, userId: 'UTHEM', text: 'runs home-net' })).texts[0]).toMatch(/^:no_entry: project home-net not found/);

    // the workspace removes the app: Slack's signed app_uninstalled event makes Atlantas forget it
    const event = JSON.stringify({
      token: 'x', team_id: theirs.teamId, api_app_id: 'A0FAKE', type: 'event_callback', event_id: 'Ev1', event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_uninstalled' }, authorizations: [{ team_id: theirs.teamId, user_id: 'UBOT', is_bot: true }],
    });
    expect((await postSlack(app.url, event, 'application/json', { secret: SECRET })).status).toBe(200);
    await app.slackIdle();
    expect((await app.req('GET', '/api/v1/slack/installations', { token: tenant.adminToken })).body).toEqual([]);
    expect((await command({ teamId: theirs.teamId, userId: 'UTHEM', text: 'whoami' })).res.body.text).toContain('not connected to Atlantas');
  });
});
