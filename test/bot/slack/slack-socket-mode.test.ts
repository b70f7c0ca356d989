import { parse } from 'node:querystring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack, type FakeWorkspace } from '../../harness/fake-slack.js';
import { slashCommandBody, slackSignature } from '../../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';

/** With SLACK_APP_TOKEN the same app talks Socket Mode: Slack's WebSocket (here the fake's) instead of POST /slack/events. */
describe('Slack: Socket Mode', () => {
  let slack: FakeSlack;
  let home: FakeWorkspace;
  let app: TestApp;

  beforeAll(async () => {
    slack = await startFakeSlack();
    home = slack.addWorkspace({ teamId: 'TSOCKET' });
    app = await startTestApp({ env: { SLACK_APP_TOKEN: slack.addAppToken(), SLACK_BOT_TOKEN: home.botToken, ATLANTAS_SLACK_API_URL: slack.apiUrl } });
    await slack.socketConnected();
  });
  afterAll(async () => {
    await app?.close();
    await slack?.close();
  });

  const command = (fields: { teamId?: string; userId: string; text: string; responseUrl: string }) =>
    ({ ...parse(slashCommandBody({ teamId: home.teamId, ...fields })) }) as Record<string, unknown>;

  it('connects with the app-level token and answers slash commands over the socket', async () => {
    expect(slack.callsTo('apps.connections.open')).toHaveLength(1);
    const help = await slack.socketEnvelope('slash_commands', command({ userId: 'UANY', text: 'help', responseUrl: slack.responseUrl() }));
    expect(help.payload).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/atlantas plan <owner/repo>[#PR]') });

    const member = await app.factories.user({ role: 'member' });
    slack.addUser(home.teamId, { id: 'UMEMBER', email: member.email });
    const responseUrl = slack.responseUrl();
    await slack.socketEnvelope('slash_commands', command({ userId: 'UMEMBER', text: 'whoami', responseUrl }));
    await app.slackIdle();
    await expect.poll(() => slack.responses(responseUrl).map((r) => r.text)).toEqual([`You are *${member.email}* (role \`member\`) in tenant *Default*.`]);

    const stranger = await slack.socketEnvelope('slash_commands', command({ teamId: 'TNOBODY', userId: 'UX', text: 'runs', responseUrl: slack.responseUrl() }));
    expect(stranger.payload.text).toContain('This Slack workspace is not connected to Atlantas');
  });

  it('does not serve POST /slack/events', async () => {
    const body = 'command=%2Fatlantas&text=help';
    const ts = Math.floor(Date.now() / 1000);
    const res = await app.req('POST', '/slack/events', {
      rawBody: body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature('x', ts, body) },
    });
    expect(res.status).toBe(404);
  });
});
