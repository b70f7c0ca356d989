import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { agentToken, connectMcp, textOf } from '../mcp/mcp-client.js';

/** The MCP incident tools through the real SDK client: the same core calls, rules and refusals as /api/incidents. */
describe('MCP incident tools', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('lists, creates, gets and updates incidents, refusing what the state machine and the role refuse', async () => {
    const agent = await agentToken(app);
    const client = await connectMcp(app, agent.token);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['list_incidents', 'get_incident', 'create_incident', 'update_incident']));

    const created = await client.callTool({ name: 'create_incident', arguments: { title: 'Payments 5xx', severity: 'P1', source: 'assistant', ci_ids: ['ci-pay'] } });
    expect(created.isError, textOf(created)).toBeFalsy();
    const incident = created.structuredContent as any;
    expect(incident).toMatchObject({ reference: expect.stringMatching(/^INC-\d{8}$/), status: 'triggered', severity: 'P1', created_by: expect.stringContaining(agent.user.email) });
    expect(textOf(created)).toContain(`Created ${incident.reference} [P1, triggered] Payments 5xx`);

    const got = await client.callTool({ name: 'get_incident', arguments: { incident: incident.reference } });
    expect(got.structuredContent).toMatchObject({ id: incident.id, timeline: [expect.objectContaining({ kind: 'created', actor: expect.objectContaining({ via: 'mcp' }) }), expect.anything()] });

    const moved = await client.callTool({ name: 'update_incident', arguments: { incident: incident.id, changes: { status: 'open', assignee: 'oncall@example.com' } } });
    expect(moved.structuredContent).toMatchObject({ status: 'open', assignee: 'oncall@example.com' });
    const rest = await app.req('GET', `/api/incidents/${incident.id}`, { token: app.admin.token });
    expect(rest.body.data).toMatchObject({ status: 'open', assignee: 'oncall@example.com' });

    const wrong = await client.callTool({ name: 'update_incident', arguments: { incident: incident.id, changes: { status: 'resolved' } } });
    expect(wrong.isError).toBe(true);
    expect(textOf(wrong)).toContain(`incident ${incident.reference} cannot go from open to resolved: allowed next: acknowledged`);
    expect((wrong._meta as any)['atlantas/error']).toMatchObject({ code: 'conflict', reason: 'invalid_transition' });

    const bad = await client.callTool({ name: 'create_incident', arguments: { title: 'x', severity: 'P7' } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/^invalid_input: .*severity/s);

    const listed = await client.callTool({ name: 'list_incidents', arguments: { status: 'open', severity: 'P1' } });
    expect(listed.structuredContent).toMatchObject({ total: 1, items: [expect.objectContaining({ id: incident.id })] });
    expect(textOf(listed)).toContain(incident.reference);

    // another tenant's incident is not found, as over REST
    const other = await app.factories.tenant();
    const theirs = (await app.req('POST', '/api/incidents', { token: other.adminToken, body: { title: 'theirs' } })).body.data;
    const hidden = await client.callTool({ name: 'get_incident', arguments: { incident: theirs.id } });
    expect(hidden.isError).toBe(true);
    expect(textOf(hidden)).toMatch(/^not_found: incident .* not found/);
  });

  it('lets a read-only agent read incidents but not change them', async () => {
    const agent = await agentToken(app, { scopes: ['mcp:read'] });
    const client = await connectMcp(app, agent.token);
    expect((await client.callTool({ name: 'list_incidents', arguments: {} })).isError).toBeFalsy();
    const refused = await client.callTool({ name: 'create_incident', arguments: { title: 'nope' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/^forbidden: role "viewer" may not incidents write/);
  });
});
