import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../harness/fake-slack.js';
import { sendSlashCommand } from '../../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';

const SECRET = 'slack-signing-secret-for-tests';

/** The embedded database has one connection: installing, linking and answering must never wait on a second one. */
describe('Slack on the embedded database', () => {
  let slack: FakeSlack;
  let app: TestApp;

  beforeAll(async () => {
    slack = await startFakeSlack();
    app = await startTestApp({ embedded: true, env: { SLACK_SIGNING_SECRET: SECRET, ATLANTAS_SLACK_API_URL: slack.apiUrl } });
  });
  afterAll(async () => {
    await app?.close();
    await slack?.close();
  });

  it('installs a workspace, links a user with a code and answers as that user', async () => {
    const ws = slack.addWorkspace({ teamId: 'TEMBED' });
    expect((await app.req('POST', '/api/v1/slack/installations', { token: app.admin.token, body: { team_id: ws.teamId, bot_token: ws.botToken, default_channel: 'C0EMBED' } })).status).toBe(201);
    const { body } = await app.req('POST', '/api/v1/users/me/slack-link', { token: app.admin.token });
    const say = async (text: string) => {
      const responseUrl = slack.responseUrl();
      await sendSlashCommand(app.url, { teamId: ws.teamId, userId: 'UEMBED', text, responseUrl }, { secret: SECRET });
      await app.slackIdle();
      return slack.responses(responseUrl).map((r) => r.text as string);
    };
    expect(await say(`link ${body.code}`)).toEqual([`Linked: this Slack account now acts as *${app.admin.email}* (role \`admin\`).`]);
    expect(await say('locks')).toEqual(['No project is locked.']);
    expect((await app.req('DELETE', `/api/v1/slack/installations/${ws.teamId}`, { token: app.admin.token })).status).toBe(204);
  });
});
