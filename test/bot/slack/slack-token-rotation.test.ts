import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { keyIdOf } from '../../../src/core/secrets/encryption.js';
import { startFakeSlack } from '../../harness/fake-slack.js';
import { sendSlashCommand } from '../../harness/slack-requests.js';
import { rotateKeyCli } from '../../harness/spawn-server.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';
import { withClient } from '../../harness/test-db.js';

const SECRET = 'slack-signing-secret-for-tests';
const newKey = () => randomBytes(32).toString('base64');

/** A workspace's sealed bot token goes through `atlantas rotate-key` like every other secret. */
describe('atlantas rotate-key on Slack bot tokens', () => {
  it('re-seals them under the new key; the workspace is served with only the new key', async () => {
    const slack = await startFakeSlack();
    onTestFinished(() => slack.close());
    const ws = slack.addWorkspace({ teamId: 'TROTATE' });
    const oldKey = newKey();
    const env = { SLACK_SIGNING_SECRET: SECRET, ATLANTAS_SLACK_API_URL: slack.apiUrl };
    let app: TestApp = await startTestApp({ env, reuse: { encryptionKey: oldKey } });
    const schema = app.reuse.schema!;
    onTestFinished(async () => {
      await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    });
    expect((await app.req('POST', '/api/v1/slack/installations', { token: app.admin.token, body: { team_id: ws.teamId, bot_token: ws.botToken } })).status).toBe(201);
    await app.close({ keepData: true });

    const key = newKey();
    const rotated = await rotateKeyCli(schema, oldKey, key);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('slack bot tokens: 1 re-encrypted');
    const { rows } = await withClient((c) => c.query('SELECT bot_token_key_id FROM slack_installations'), { schema });
    expect(rows).toEqual([{ bot_token_key_id: keyIdOf(Buffer.from(key, 'base64')) }]);

    app = await startTestApp({ env, reuse: { schema, encryptionKey: key } });
    onTestFinished(() => app.close({ keepData: true }));
    slack.addUser(ws.teamId, { id: 'UADMIN', email: app.admin.email });
    const responseUrl = slack.responseUrl();
    await sendSlashCommand(app.url, { teamId: ws.teamId, userId: 'UADMIN', text: 'whoami', responseUrl }, { secret: SECRET });
    await app.slackIdle();
    expect(slack.responses(responseUrl).map((r) => r.text)).toEqual([`You are *${app.admin.email}* (role \`admin\`) in tenant *Default*.`]);
    expect(slack.callsTo('users.info').at(-1)?.token).toBe(ws.botToken);
  });
});
