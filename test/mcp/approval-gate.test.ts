import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';
import { RecordingChannel } from '../core/notifications/recording-channel.js';
import { agentToken, connectMcp, textOf, type Agent } from './mcp-client.js';

const SECRET = 'hunter2-do-not-show';
const withSecret = `resource "terraform_data" "visible" {\n  input = "blue"\n}\nresource "terraform_data" "secret" {\n  input = sensitive("${SECRET}")\n}\n`;
const DIRS = ['dev', 'prod', 'prod-reject', 'prod-expire', 'prod-inline', 'prod-rest', 'shared', 'mine', 'scratch'];
const devOutputs = `${tfData(1, 'dev')}output "endpoint" {\n  value = "https://dev.example"\n}\noutput "db_password" {\n  value     = "pw-${SECRET}"\n  sensitive = true\n}\n`;

describe('the approval gate: an agent plans freely, a person approves applies elsewhere', () => {
  let app: TestApp;
  let repo: BareRepo;
  let agent: Agent;
  let client: Client;
  const channel = new RecordingChannel('test');

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'platform' });
    await repo.commitFiles({ ...Object.fromEntries(DIRS.map((d) => [`${d}/main.tf`, tfData(1, d)])), 'prod/main.tf': withSecret, 'dev/main.tf': devOutputs }, 'the projects');
    app = await startTestApp({ env: { ATLANTAS_SLACK_CHANNEL: '#ops' }, childEnv: insteadOfEnv(repo.root) });
    const names: Record<string, string> = { dev: 'dev-app', prod: 'prod-app', 'prod-reject': 'prod-reject', 'prod-expire': 'prod-expire', 'prod-inline': 'prod-inline', 'prod-rest': 'prod-rest', shared: 'shared', mine: 'mine', scratch: 'scratch' };
    for (const dir of DIRS) {
      const res = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: names[dir], repository_url: 'https://github.com/acme/platform', terraform_path: dir } });
      expect(res.status).toBe(201);
    }
    app.internals.notifications.register(channel);
    agent = await agentToken(app, { policy: { auto_apply: ['dev-*'], max_destroy: 0 } });
    client = await connectMcp(app, agent.token, { keep: true });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await app?.close();
    await repo?.cleanup();
  });

  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`);
    return result.structuredContent as any;
  };
  const runStatus = async (id: string) => (await call('get_run', { run_id: id })).status as string;
  const planned = async (project: string, command = 'apply') => {
    const run = await call('plan', { project, command });
    await expect.poll(() => runStatus(run.id), { timeout: 90_000, interval: 250 }).toMatch(/^(planned|planned_and_finished|errored)$/);
    expect(await runStatus(run.id)).toBe('planned');
    return run.id as string;
  };
  const settled = (id: string) => expect.poll(() => runStatus(id), { timeout: 90_000, interval: 250 });

  it('plans a real repository and shows the changed attributes with the sensitive one redacted', async () => {
    const runId = await planned('prod-app');
    const plan = await call('get_plan', { run_id: runId });
    expect(plan).toMatchObject({ view: 'changes', counts: { add: 2, change: 0, destroy: 0 }, total_resources: 2 });
    const byAddress = Object.fromEntries(plan.resources.map((r: any) => [r.address, r]));
    expect(byAddress['terraform_data.visible']).toMatchObject({ action: 'create', changes: expect.arrayContaining([{ name: 'input', before: null, after: 'blue' }]) });
    expect(byAddress['terraform_data.secret'].changes).toEqual(expect.arrayContaining([{ name: 'input', before: null, after: '(sensitive value)' }]));
    const text = textOf(await client.callTool({ name: 'get_plan', arguments: { run_id: runId } }));
    expect(text).toContain('terraform_data.visible');
    expect(JSON.stringify(plan) + text).not.toContain(SECRET);
    const filtered = await call('get_plan', { run_id: runId, address: 'visible' });
    expect(filtered.resources.map((r: any) => r.address)).toEqual(['terraform_data.visible']);
    const logs = await call('get_run_logs', { run_id: runId, tail: true, limit: 500 });
    expect(logs.log).toMatchObject({ kind: 'terraform-log', untrusted: true, next_offset: null });
    expect(logs.log.text).toContain('Plan: 2 to add');
  });

  it('apply_run waits for a person; the agent\'s own token cannot approve; a person\'s REST approval applies it, audited', async () => {
    const runId = (await call('list_runs', { status: ['planned'] })).runs.find((r: any) => r.dir === 'prod').id;
    const asked = await call('apply_run', { run_id: runId, reason: 'roll out the blue config' });
    expect(asked).toMatchObject({ status: 'pending_approval', approval: { status: 'pending', action: 'run_apply', run_id: runId, reason: 'roll out the blue config' } });
    expect(asked.approval.link).toBe(`${app.url}/api/v1/approvals/${asked.approval.id}`);
    expect(await runStatus(runId)).toBe('planned');
    // asking again gives the same request, not a second one
    expect((await call('apply_run', { run_id: runId, reason: 'again' })).approval.id).toBe(asked.approval.id);

    const selfApprove = await app.req('POST', `/api/v1/approvals/${asked.approval.id}/approve`, { token: agent.token, body: {} });
    expect(selfApprove.status).toBe(403);
    expect(selfApprove.body.code).toBe('approval.human_required');
    const viewer = await app.factories.user({ role: 'viewer' });
    expect((await app.req('POST', `/api/v1/approvals/${asked.approval.id}/approve`, { token: viewer.token, body: {} })).status).toBe(403);

    const approved = await app.req('POST', `/api/v1/approvals/${asked.approval.id}/approve`, { token: app.admin.token, body: { note: 'looks right' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decided_by: { name: app.admin.email, via: 'api', note: 'looks right' }, outcome: 'applying' });
    await settled(runId).toMatch(/^(applied|errored)$/);
    expect(await runStatus(runId)).toBe('applied');
    expect((await app.req('POST', `/api/v1/approvals/${asked.approval.id}/approve`, { token: app.admin.token, body: {} })).status).toBe(409);

    const audit = await app.req('GET', `/api/v1/audit?target_id=${asked.approval.id}`, { token: app.admin.token });
    const byAction = Object.fromEntries(audit.body.map((e: any) => [e.action, e]));
    expect(byAction['approval.request']).toMatchObject({ via: 'mcp', actor: { id: agent.tokenId }, detail: { reason: 'roll out the blue config', token: agent.tokenId } });
    expect(byAction['approval.approve']).toMatchObject({ via: 'api', actor: { name: app.admin.email }, detail: { approver: app.admin.email, reason: 'roll out the blue config', token: agent.tokenId } });
    // both facts were told once through the Notifier (the outbox, delivered to the registered channel)
    await expect.poll(() => channel.delivered((e) => 'approvalId' in e && e.approvalId === asked.approval.id).map((d) => d.event.kind).sort()).toEqual(['approval.decided', 'approval.requested']);
    const listed = await call('list_approvals', { run_id: runId });
    expect(listed.approvals).toEqual([expect.objectContaining({ id: asked.approval.id, status: 'approved', decided_by: expect.objectContaining({ name: app.admin.email }) })]);
  });

  it('a rejection leaves the plan unapplied', async () => {
    const runId = await planned('prod-reject');
    const asked = await call('apply_run', { run_id: runId, reason: 'try it' });
    const rejected = await app.req('POST', `/api/v1/approvals/${asked.approval.id}/reject`, { token: app.admin.token, body: { note: 'not today' } });
    expect(rejected.body).toMatchObject({ status: 'rejected', outcome: 'plan discarded' });
    expect(await runStatus(runId)).toBe('canceled');
    const again = await client.callTool({ name: 'apply_run', arguments: { run_id: runId, reason: 'please' } });
    expect(textOf(again)).toMatch(/^conflict: run .* is canceled/);
    expect(await app.sql("SELECT id FROM runs WHERE dir = 'prod-reject' AND status = 'applied'")).toEqual([]);
  });

  it('an agent token approving the run over REST is refused, and that records a request a person can approve', async () => {
    const runId = await planned('prod-rest');
    const direct = await app.req('POST', `/api/v1/runs/${runId}/approve`, { token: agent.token });
    expect(direct.status).toBe(403);
    expect(direct.body.code).toBe('run.human_approval_required');
    const [request] = (await app.req('GET', `/api/v1/approvals?run_id=${runId}`, { token: app.admin.token })).body;
    expect(request).toMatchObject({ status: 'pending', requested_by: { token_id: agent.tokenId, via: 'api' } });
    expect(direct.body.detail).toContain(`approval request ${request.id} waits for a person`);
    expect(await runStatus(runId)).toBe('planned');
    // a person approving the run itself decides the request too
    expect((await app.req('POST', `/api/v1/runs/${runId}/approve`, { token: app.admin.token })).body.status).toBe('confirmed');
    expect((await app.req('GET', `/api/v1/approvals/${request.id}`, { token: app.admin.token })).body).toMatchObject({ status: 'approved', decided_by: { name: app.admin.email, via: 'api' } });
    await settled(runId).toMatch(/^(applied|errored)$/);
  });

  it('an expired request cannot be approved', async () => {
    const runId = await planned('prod-expire');
    const asked = await call('apply_run', { run_id: runId, reason: 'later' });
    await app.sql("UPDATE approval_requests SET expires_at = now() - interval '1 second' WHERE id = :id RETURNING id", { id: asked.approval.id });
    const late = await app.req('POST', `/api/v1/approvals/${asked.approval.id}/approve`, { token: app.admin.token, body: {} });
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/already expired/);
    expect((await app.req('GET', `/api/v1/approvals/${asked.approval.id}`, { token: app.admin.token })).body.status).toBe('expired');
    expect(await runStatus(runId)).toBe('planned');
  });

  it('the token policy auto-applies dev-app, but not a plan of dev-app that destroys (max_destroy 0)', async () => {
    const runId = await planned('dev-app');
    const applied = await call('apply_run', { run_id: runId, reason: 'dev is mine' });
    expect(applied).toMatchObject({ status: 'confirmed', approval: null });
    await settled(runId).toMatch(/^(applied|errored)$/);
    expect(await runStatus(runId)).toBe('applied');
    expect((await app.req('GET', `/api/v1/runs/${runId}`, { token: app.admin.token })).body.approved_by).toMatch(/policy: auto_apply dev-app/);

    const destroy = await planned('dev-app', 'destroy');
    const asked = await call('apply_run', { run_id: destroy, reason: 'clean up dev' });
    expect(asked).toMatchObject({ status: 'pending_approval', approval: { action: 'run_destroy' } });
    expect(asked.why).toMatch(/destroys 1 resource\(s\), more than the token's max_destroy \(0\)/);
    // and no front end can reach around the verdict: core asks the policy again
    const agentActor = await app.core.auth.authenticateAgent(agent.token);
    await expect(app.core.runs.approveUnderPolicy(agentActor, destroy)).rejects.toMatchObject({ code: 'run.human_approval_required' });
    expect(await runStatus(destroy)).toBe('planned');
  });

  it('pages long lists: list_projects returns at most limit, with the total and the next offset', async () => {
    const first = await call('list_projects', { limit: 4 });
    expect(first).toMatchObject({ total: DIRS.length, next_offset: 4 });
    expect(first.projects).toHaveLength(4);
    const rest = await call('list_projects', { offset: 4, limit: 50 });
    expect(rest.next_offset).toBeNull();
    expect(new Set([...first.projects, ...rest.projects].map((p: any) => p.name)).size).toBe(DIRS.length);
  });

  it('reads states: the applied dev-app state, its versions, and its outputs with the sensitive one redacted', async () => {
    const states = (await call('list_states', {})).states;
    const dev = states.find((st: any) => st.project_name === 'dev-app');
    expect(dev).toMatchObject({ workspace: 'default', serial: expect.any(Number) });
    expect((await call('list_state_versions', { state_id: dev.id })).versions.length).toBeGreaterThan(0);
    const outputs = await call('get_state_outputs', { state_id: dev.id });
    expect(outputs).toMatchObject({ untrusted: true });
    expect(outputs.outputs).toEqual(expect.arrayContaining([
      { name: 'endpoint', sensitive: false, type: 'string', value: 'https://dev.example' },
      { name: 'db_password', sensitive: true, type: 'string', value: '(sensitive value)' },
    ]));
    expect(JSON.stringify(outputs) + textOf(await client.callTool({ name: 'get_state_outputs', arguments: { state_id: dev.id } }))).not.toContain(SECRET);
  });

  it('unlock: the agent frees its own lock at once; someone else\'s waits for a person, who approves it', async () => {
    const own = await planned('mine');
    const ownLock = (await call('list_locks', {})).locks.find((l: any) => l.path === 'mine');
    expect(ownLock).toMatchObject({ run_id: own });
    // a second token of the same person with the same name is another agent: the lock is not its own
    const twin = await app.core.tokens.create(agent.user.actor, { name: 'assistant', scopes: ['mcp:write'] });
    const twinClient = await connectMcp(app, twin.rawToken);
    const twinAsk = await twinClient.callTool({ name: 'unlock', arguments: { lock_id: ownLock.id, reason: 'same name, other agent' } });
    expect(twinAsk.structuredContent).toMatchObject({ status: 'pending_approval', approval: { action: 'unlock' } });
    expect(await runStatus(own)).toBe('planned');
    expect(await call('unlock', { lock_id: ownLock.id, reason: 'my own plan' })).toMatchObject({ status: 'unlocked', approval: null });
    expect(await runStatus(own)).toBe('discarded');

    const theirs = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { project: 'shared', command: 'apply' } });
    await settled(theirs.body.id).toBe('planned');
    const lock = (await call('list_locks', {})).locks.find((l: any) => l.path === 'shared');
    const asked = await call('unlock', { lock_id: lock.id, reason: 'stale plan blocks me' });
    expect(asked).toMatchObject({ status: 'pending_approval', approval: { action: 'unlock', target: { type: 'project_lock', id: lock.id } } });
    expect(await runStatus(theirs.body.id)).toBe('planned');
    const approved = await app.req('POST', `/api/v1/approvals/${asked.approval.id}/approve`, { token: app.admin.token, body: {} });
    expect(approved.body).toMatchObject({ status: 'approved', outcome: 'unlocked' });
    expect((await call('list_locks', {})).locks.find((l: any) => l.path === 'shared')).toBeUndefined();
    expect(await runStatus(theirs.body.id)).toBe('discarded');
  });

  it('discard_run throws a planned run away; cancel_run on it then answers conflict', async () => {
    const runId = await planned('scratch');
    expect(await call('discard_run', { run_id: runId })).toMatchObject({ status: 'discarded', status_reason: `discarded by ${agent.user.email} (token assistant)` });
    expect(textOf(await client.callTool({ name: 'cancel_run', arguments: { run_id: runId } }))).toMatch(/^conflict: run .* is already discarded/);
    expect((await call('list_locks', {})).locks.find((l: any) => l.path === 'scratch')).toBeUndefined();
  });

  it('in a session bound to a person whose client supports elicitation, their inline answer approves; the agent alone cannot bind itself', async () => {
    const runId = await planned('prod-inline');
    const person = await app.factories.user({ role: 'member' });
    const asked: string[] = [];
    const inline = new Client({ name: 'desktop', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    inline.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return { action: 'accept', content: { approve: true } };
    });
    const headers = { Authorization: `Bearer ${agent.token}`, 'X-Atlantas-Approver': `Bearer ${person.token}` };
    await inline.connect(new StreamableHTTPClientTransport(new URL('/mcp', app.url), { requestInit: { headers } }));
    try {
      const result = await inline.callTool({ name: 'apply_run', arguments: { run_id: runId, reason: 'ship it now' } });
      expect(result.structuredContent).toMatchObject({ status: 'confirmed', approved_by: `${person.email} (token test)` });
      expect(asked).toEqual([expect.stringMatching(/asks to apply acme\/platform prod-inline \(default\)[\s\S]*"ship it now"[\s\S]*Approve as /)]);
    } finally {
      await inline.close();
    }
    await settled(runId).toMatch(/^(applied|errored)$/);
    expect(await runStatus(runId)).toBe('applied');
    const [request] = (await call('list_approvals', { run_id: runId })).approvals;
    expect(request).toMatchObject({ status: 'approved', decided_by: { name: `${person.email} (token test)`, via: 'mcp', note: 'answered in the MCP client' } });

    // an agent token as the "approver" is refused at initialize
    const selfBound = new Client({ name: 'desktop', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    const other = await agentToken(app);
    await expect(selfBound.connect(new StreamableHTTPClientTransport(new URL('/mcp', app.url), {
      requestInit: { headers: { Authorization: `Bearer ${agent.token}`, 'X-Atlantas-Approver': `Bearer ${other.token}` } },
    }))).rejects.toThrow(/must carry a person's own login or API token/);
    await selfBound.close();
  });
});
