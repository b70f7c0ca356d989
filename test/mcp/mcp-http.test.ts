import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { agentToken, connectMcp, textOf } from './mcp-client.js';

const WRITE_TOOLS = ['plan', 'apply_run', 'discard_run', 'cancel_run', 'unlock', 'detect_drift', 'create_incident', 'update_incident', 'run_rca'];
const ALL_TOOLS = [
  'whoami', 'list_projects', 'get_project', 'list_runs', 'get_run', 'get_run_logs', 'get_plan', 'plan', 'apply_run', 'discard_run',
  'cancel_run', 'list_locks', 'unlock', 'list_states', 'list_state_versions', 'get_state_outputs', 'list_approvals',
  'drift_status', 'detect_drift',
  'list_incidents', 'get_incident', 'create_incident', 'update_incident', 'run_rca',
];

describe('MCP over Streamable HTTP at /mcp', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (headers: Record<string, string>) =>
    app.req('POST', '/mcp', { headers: { accept: 'application/json, text/event-stream', ...headers }, body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} } });

  it('answers 401 with WWW-Authenticate without a token or with a bad one, and 403 to a token without an MCP scope', async () => {
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="atlantas"/);
    const bad = await post({ authorization: 'Bearer atl_not-a-real-token-at-all-000000' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const person = await app.factories.user({ role: 'member' }); // its token has scope write, not mcp:*
    const plain = await post({ authorization: `Bearer ${person.token}` });
    expect(plain.status).toBe(403);
    expect(plain.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(plain.body.error.message).toMatch(/no MCP scope/);
  });

  it('refuses a Host that is not this server (DNS rebinding)', async () => {
    const agent = await agentToken(app);
    const res = await rawPost(app.url, { authorization: `Bearer ${agent.token}`, host: 'evil.example:4141' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.message).toMatch(/Host "evil.example:4141" is not this server/);
    const origin = await post({ authorization: `Bearer ${agent.token}`, origin: 'https://evil.example' });
    expect(origin.status).toBe(403);
  });

  it('lists every tool with truthful annotations and an output schema', async () => {
    const client = await connectMcp(app, (await agentToken(app)).token);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...ALL_TOOLS].sort());
    for (const tool of tools) {
      expect(tool.outputSchema, tool.name).toMatchObject({ type: 'object' });
      expect(tool.description!.length, tool.name).toBeGreaterThan(60);
      const write = WRITE_TOOLS.includes(tool.name);
      expect(tool.annotations, tool.name).toMatchObject({ readOnlyHint: !write });
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
    expect(byName.apply_run).toMatchObject({ destructiveHint: true, idempotentHint: false, openWorldHint: true });
    expect(byName.plan).toMatchObject({ destructiveHint: false, openWorldHint: true });
    expect(byName.get_plan).toMatchObject({ readOnlyHint: true, openWorldHint: false });
  });

  it('whoami names the person behind the agent token', async () => {
    const agent = await agentToken(app, { policy: { auto_apply: ['dev-*'] } });
    const client = await connectMcp(app, agent.token);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.structuredContent).toMatchObject({ user: agent.user.email, role: 'member', agent: true, policy: { auto_apply: ['dev-*'], max_destroy: 0 } });
  });

  it('an mcp:read token cannot plan: forbidden, as a coded tool error', async () => {
    const client = await connectMcp(app, (await agentToken(app, { scopes: ['mcp:read'] })).token);
    const result = await client.callTool({ name: 'plan', arguments: { repo: 'acme/infra', dir: '.' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^forbidden: role "viewer" may not run apply/);
  });

  it('bad arguments come back as invalid_input, naming the field', async () => {
    const client = await connectMcp(app, (await agentToken(app)).token);
    const result = await client.callTool({ name: 'get_run', arguments: { run_id: 42 } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^invalid_input: .*run_id/s);
  });

  it('hides another tenant\'s project exactly as REST does', async () => {
    const other = await app.factories.tenant();
    const created = await app.req('POST', '/api/v1/projects', { token: other.adminToken, body: { name: 'their-net', repository_url: 'https://github.com/them/infra', terraform_path: '.' } });
    expect(created.status).toBe(201);
    const agent = await agentToken(app);
    const client = await connectMcp(app, agent.token);
    for (const ref of ['their-net', created.body.id]) {
      const result = await client.callTool({ name: 'get_project', arguments: { project: ref } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^not_found: /);
      expect((await app.req('GET', `/api/v1/projects/${ref}`, { token: agent.user.token })).status).toBe(404);
    }
    const plan = await client.callTool({ name: 'plan', arguments: { project: 'their-net' } });
    expect(textOf(plan)).toMatch(/^not_found: /);
    expect((await app.req('POST', '/api/v1/runs', { token: agent.user.token, body: { project: 'their-net' } })).status).toBe(404);
    expect((await client.callTool({ name: 'list_projects', arguments: {} })).structuredContent).toEqual({ projects: [], total: 0, next_offset: null });
  });

  it('POST /api/v1/users/tokens takes mcp_policy for an agent token only, and validates it', async () => {
    const person = await app.factories.user({ role: 'member' });
    const ok = await app.req('POST', '/api/v1/users/tokens', { token: person.token, body: { name: 'claude', scopes: ['mcp:write'], mcp_policy: { auto_apply: ['project-a', 'dev-*'], max_destroy: 0 } } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ scopes: ['mcp:write'], mcp_policy: { auto_apply: ['project-a', 'dev-*'], max_destroy: 0 } });
    const plain = await app.req('POST', '/api/v1/users/tokens', { token: person.token, body: { name: 'ci', scopes: ['write'], mcp_policy: { auto_apply: ['x'] } } });
    expect(plain.status).toBe(400);
    expect(plain.body.detail).toMatch(/mcp_policy applies to an AI agent's token only/);
    const bad = await app.req('POST', '/api/v1/users/tokens', { token: person.token, body: { name: 'claude', scopes: ['mcp:write'], mcp_policy: { auto_apply: ['a b'], max_destroy: -1 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/mcp_policy.auto_apply.0: must be a project name[\s\S]*mcp_policy.max_destroy/);
    const viewer = await app.factories.user({ role: 'viewer' });
    expect((await app.req('POST', '/api/v1/users/tokens', { token: viewer.token, body: { name: 'claude', scopes: ['mcp:write'] } })).status).toBe(403);
  });

  it('an agent token cannot mint a person\'s token (which would escape the approval gate)', async () => {
    const agent = await agentToken(app);
    const res = await app.req('POST', '/api/v1/users/tokens', { token: agent.token, body: { name: 'escape', scopes: ['write'] } });
    expect(res.status).toBe(403);
  });
});

describe('ATLANTAS_MCP_READ_ONLY', () => {
  it('registers no write tool at all', async () => {
    const app = await startTestApp({ env: { ATLANTAS_MCP_READ_ONLY: 'true' } });
    try {
      const client = await connectMcp(app, (await agentToken(app)).token);
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('list_projects');
      for (const write of WRITE_TOOLS) expect(names).not.toContain(write);
      const call = await client.callTool({ name: 'plan', arguments: { repo: 'acme/infra' } });
      expect(textOf(call)).toMatch(/^not_found: .*plan/);
      await client.close();
    } finally {
      await app.close();
    }
  });
});

/** fetch may not set Host; a DNS-rebinding page's request does, so this one is sent with node:http. */
function rawPost(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
  return new Promise((resolve, reject) => {
    const req = http.request(new URL('/mcp', url), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
