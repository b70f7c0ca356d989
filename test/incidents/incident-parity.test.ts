import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack, type FakeWorkspace } from '../harness/fake-slack.js';
import { sendBlockAction, sendSlashCommand } from '../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { agentToken, connectMcp, textOf } from '../mcp/mcp-client.js';

const SECRET = 'slack-signing-secret-for-tests';

/**
 * The incident rules are core's, so REST, MCP and Slack refuse the same thing with the same words,
 * each in its own envelope (test/parity/parity.test.ts does the same for runs; its columns are the
 * plan command, so incidents have their own table here).
 */
describe('parity: incident refusals through REST, MCP and Slack', () => {
  let app: TestApp;
  let slack: FakeSlack;
  let ws: FakeWorkspace;
  const tokens = { member: '', viewer: '', memberAgent: '', viewerAgent: '' };

  beforeAll(async () => {
    slack = await startFakeSlack();
    ws = slack.addWorkspace();
    app = await startTestApp({ env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: ws.botToken, ATLANTAS_SLACK_API_URL: slack.apiUrl } });
    const member = await app.factories.user({ role: 'member' });
    const viewer = await app.factories.user({ role: 'viewer' });
    slack.addUser(ws.teamId, { id: 'UMEMBER', email: member.email });
    slack.addUser(ws.teamId, { id: 'UVIEWER', email: viewer.email });
    Object.assign(tokens, {
      member: member.token, viewer: viewer.token,
      memberAgent: (await agentToken(app)).token, viewerAgent: (await agentToken(app, { role: 'viewer', scopes: ['mcp:read'] })).token,
    });
  });
  afterAll(async () => {
    await app?.close();
    await slack?.close();
  });

  const newIncident = async (token = tokens.member) => (await app.req('POST', '/api/incidents', { token, body: { title: 'parity' } })).body.data;
  const rest = async (token: string, id: string, status: string) => {
    const res = await app.req('PATCH', `/api/incidents/${id}`, { token, body: { status } });
    return { status: res.status, code: res.body.code, text: res.body.error as string };
  };
  const mcp = async (token: string, id: string, status: string) => {
    const client = await connectMcp(app, token);
    const result = await client.callTool({ name: 'update_incident', arguments: { incident: id, changes: { status } } });
    return { isError: result.isError, text: textOf(result) };
  };
  const button = async (userId: string, id: string) => {
    const responseUrl = slack.responseUrl();
    await sendBlockAction(app.url, { teamId: ws.teamId, userId, actionId: 'incident_acknowledge', value: id, channelId: 'C0OPS', messageTs: '1.000', responseUrl }, { secret: SECRET });
    await app.slackIdle();
    return slack.responses(responseUrl).map((r) => r.text as string).join('\n');
  };
  const slash = async (userId: string, text: string) => {
    const responseUrl = slack.responseUrl();
    await sendSlashCommand(app.url, { teamId: ws.teamId, userId, text, responseUrl }, { secret: SECRET });
    await app.slackIdle();
    return slack.responses(responseUrl).map((r) => r.text as string).join('\n');
  };

  it("a viewer's change", async () => {
    const { id } = await newIncident();
    const message = 'role "viewer" may not incidents write';
    expect(await rest(tokens.viewer, id, 'open')).toEqual({ status: 403, code: 'FORBIDDEN', text: message });
    expect(await mcp(tokens.viewerAgent, id, 'open')).toMatchObject({ isError: true, text: expect.stringMatching(new RegExp(`^forbidden: ${message}`)) });
    expect(await button('UVIEWER', id)).toBe(`:no_entry: ${message}`);
    expect((await app.req('GET', `/api/incidents/${id}`, { token: tokens.member })).body.data.status).toBe('triggered');
  });

  it('a move the state machine does not have', async () => {
    const { id, reference } = await newIncident();
    for (const status of ['open', 'acknowledged', 'investigating', 'resolved']) await rest(tokens.member, id, status);
    const message = `incident ${reference} cannot go from resolved to acknowledged: allowed next: closed, reopened`;
    expect(await rest(tokens.member, id, 'acknowledged')).toEqual({ status: 400, code: 'INVALID_TRANSITION', text: message });
    expect(await mcp(tokens.memberAgent, id, 'acknowledged')).toMatchObject({ isError: true, text: expect.stringContaining(`conflict: ${message}`) });
    expect(await button('UMEMBER', id)).toBe(`:no_entry: ${message}`);
  });

  it("another tenant's incident", async () => {
    const other = await app.factories.tenant();
    const { id } = await newIncident(other.adminToken);
    const message = `incident ${id} not found`;
    expect(await rest(tokens.member, id, 'open')).toEqual({ status: 404, code: 'NOT_FOUND', text: message });
    expect(await mcp(tokens.memberAgent, id, 'open')).toMatchObject({ isError: true, text: expect.stringMatching(new RegExp(`^not_found: ${message}`)) });
    expect(await button('UMEMBER', id)).toBe(`:no_entry: ${message}`);
    expect(await slash('UMEMBER', `incident ${id}`)).toBe(`:no_entry: ${message}`);
  });
});
