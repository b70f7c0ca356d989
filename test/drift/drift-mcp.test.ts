import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';
import { agentToken, connectMcp, textOf } from '../mcp/mcp-client.js';

const SECRET = 'drift-mcp-secret';

/**
 * The MCP drift tools through the real SDK client over Streamable HTTP, on real terraform, git and
 * PostgreSQL: drift made by applying and then changing the state through the HTTP state backend;
 * detect_drift queues an ordinary check, drift_status then shows has_drift with the resource.
 */
describe('MCP drift tools through the real SDK client', () => {
  let app: TestApp;
  let repo: BareRepo;

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'mcp-drift' });
    await repo.commitFiles({ 'network/main.tf': tfData(2) }, 'one project');
    app = await startTestApp({ env: { ATLANTAS_API_SECRET: SECRET }, childEnv: insteadOfEnv(repo.root) });
    const project = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'network', repository_url: 'https://github.com/acme/mcp-drift', terraform_path: 'network' } });
    expect(project.status, project.text).toBe(201);
    const applied = await app.req('POST', '/api/apply', { headers: { 'x-atlantis-token': SECRET }, body: { Repository: 'acme/mcp-drift', Ref: 'main', Type: 'Github', Paths: [{ Directory: 'network', Workspace: 'default' }] } });
    expect(applied.body.data, applied.text).toMatchObject({ success_count: 1 });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  /** Someone writes the state behind terraform's back: terraform_data.r0's input changes. */
  async function editStateOutOfBand() {
    const [{ state_name }] = await app.sql<{ state_name: string }>("SELECT state_name FROM runs WHERE dir = 'network' AND state_name IS NOT NULL LIMIT 1");
    const address = `/api/v1/tfstate/${encodeURIComponent(state_name)}/default`;
    const state = (await app.req('GET', address, { token: app.admin.token })).body;
    const r0 = state.resources.find((r: any) => r.name === 'r0');
    r0.instances[0].attributes.input = { value: 'changed-by-hand', type: 'string' };
    r0.instances[0].attributes.output = { value: 'changed-by-hand', type: 'string' };
    const pushed = await app.req('POST', address, { token: app.admin.token, rawBody: JSON.stringify({ ...state, serial: state.serial + 1 }), headers: { 'content-type': 'application/json' } });
    expect(pushed.status).toBe(200);
  }

  it('drift_status answers the stored records; detect_drift of an unknown project is refused as REST refuses it', async () => {
    const client = await connectMcp(app, (await agentToken(app)).token);
    const status = await client.callTool({ name: 'drift_status', arguments: {} });
    expect(status.isError).toBeFalsy();
    expect(status.structuredContent).toEqual({ records: [] });
    const detect = await client.callTool({ name: 'detect_drift', arguments: { project: 'nope' } });
    expect(detect.isError).toBe(true);
    expect(textOf(detect)).toMatch(/project nope not found/);
  });

  it('detect_drift queues a real check of drift made through the state backend; drift_status then shows it with the resource', async () => {
    await editStateOutOfBand();
    const client = await connectMcp(app, (await agentToken(app)).token);
    const before = (await app.sql<{ n: number }>("SELECT count(*)::int AS n FROM runs WHERE source = 'drift'"))[0].n;

    const detect = await client.callTool({ name: 'detect_drift', arguments: { project: 'network' } });
    expect(detect.isError, textOf(detect)).toBeFalsy();
    const started = detect.structuredContent as any;
    expect(started.check_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.records).toEqual([expect.objectContaining({ project_name: 'network', directory: 'network', workspace: 'default', status: 'checking' })]);
    expect(textOf(detect)).toContain(`Drift check ${started.check_id} queued for 1 project(s)`);
    // an ordinary run through the queue, made by the agent's token
    const queued = await app.sql("SELECT operation, source, via FROM runs WHERE source = 'drift' ORDER BY created_at DESC LIMIT 1");
    expect(queued).toEqual([{ operation: 'refresh', source: 'drift', via: 'mcp' }]);

    const checked = async () => {
      const res = await client.callTool({ name: 'drift_status', arguments: { project: 'network' } });
      return (res.structuredContent as any).records[0];
    };
    await expect.poll(async () => (await checked()).status, { timeout: 60_000, interval: 250 }).toBe('checked');
    const record = await checked();
    expect(record).toMatchObject({ id: started.records[0].id, has_drift: true, to_change: 1, summary: 'Plan: 0 to add, 1 to change, 0 to destroy.' });
    expect(record.drifted_resources).toEqual([expect.objectContaining({ address: 'terraform_data.r0', action: 'update', attributes: expect.arrayContaining(['input']) })]);
    expect((await app.sql<{ n: number }>("SELECT count(*)::int AS n FROM runs WHERE source = 'drift'"))[0].n - before).toBe(2); // refresh-only plan, then plan

    const text = textOf(await client.callTool({ name: 'drift_status', arguments: { has_drift: true } }));
    expect(text).toContain('DRIFT — Plan: 0 to add, 1 to change, 0 to destroy.; terraform_data.r0 (input');
    expect(JSON.stringify(record)).not.toContain('changed-by-hand'); // attribute names, never values
  });
});
