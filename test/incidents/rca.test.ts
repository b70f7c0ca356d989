import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startFakeLlm, type FakeLlm } from '../harness/fake-llm.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { agentToken, connectMcp } from '../mcp/mcp-client.js';

const SECRET = 'rca-atlantis-api-secret';
const LLM_KEY = 'sk-test-llm-key-0123456789abcdef';
const SENSITIVE = 'hunter2-password';
const MINUTE = 60_000;

class TestClock {
  #now = Date.now();
  now = () => new Date(this.#now);
  advance(ms: number): void {
    this.#now += ms;
  }
}

const payments = (r0: string) => `resource "terraform_data" "r0" {
  input = "${r0}"
}
resource "terraform_data" "db" {
  input = sensitive("${SENSITIVE}")
}
`;

/**
 * RCA on a drift incident, on real terraform: a project is applied, then a change to it is applied,
 * then someone changes the resource behind terraform's back (a state pushed through the backend,
 * around a lock). The drift monitor's incident is analysed: the apply of the change ranks first,
 * with its reasons, beside the other evidence; the model (a fake OpenAI-compatible server) gets
 * only that evidence, and its answer is returned; when it fails, the deterministic summary stands in.
 */
describe('RCA of a drift incident', () => {
  let app: TestApp;
  let repo: BareRepo;
  let llm: FakeLlm;
  const clock = new TestClock();
  let incidentId: string;
  let changeRunId: string;
  let firstRunId: string;

  beforeAll(async () => {
    llm = await startFakeLlm((req) => {
      const evidence = JSON.parse(req.body.messages[1].content);
      return `LLM: ${evidence.candidates[0].id} caused the drift.`;
    });
    repo = await createBareRepo({ owner: 'acme', name: 'rca' });
    await repo.commitFiles({ 'payments/main.tf': payments('v1'), 'edge/main.tf': 'resource "terraform_data" "e0" {\n  input = "e"\n}\n' }, 'two projects');
    app = await startTestApp({
      agentClock: clock,
      env: { ATLANTAS_API_SECRET: SECRET, ATLANTAS_SCHEDULER_TICK: '1h', ATLANTAS_LLM_URL: llm.url, ATLANTAS_LLM_API_KEY: LLM_KEY, ATLANTAS_LLM_MODEL: 'test-model' },
      childEnv: insteadOfEnv(repo.root),
    });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
    await llm?.close();
  });

  const apply = async (dir: string) => {
    const res = await app.req('POST', '/api/apply', {
      headers: { 'x-atlantis-token': SECRET }, body: { Repository: 'acme/rca', Ref: 'main', Type: 'Github', Paths: [{ Directory: dir, Workspace: 'default' }] },
    });
    expect(res.body.data, res.text).toMatchObject({ success_count: 1 });
    const [run] = await app.sql<{ id: string }>("SELECT id FROM runs WHERE dir = :dir AND status = 'applied' ORDER BY finished_at DESC LIMIT 1", { dir });
    return run.id;
  };
  const rca = (body: unknown, token = app.admin.token) => app.req('POST', '/api/rca', { token, body });

  it('opens the drift incident: apply, apply a change, then drift behind terraform\'s back', async () => {
    const created = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'payments', repository_url: 'https://github.com/acme/rca', terraform_path: 'payments', criticality: 'high' } });
    expect(created.status, created.text).toBe(201);
    const projectId = created.body.id;
    firstRunId = await apply('payments');
    await apply('edge');
    await repo.commitFiles({ 'payments/main.tf': payments('v2') }, 'change r0');
    changeRunId = await apply('payments');

    const [{ state_name }] = await app.sql<{ state_name: string }>("SELECT state_name FROM runs WHERE id = :id", { id: changeRunId });
    const address = `/api/v1/tfstate/${encodeURIComponent(state_name)}/default`;
    const holder = { ID: randomUUID(), Operation: 'OperationTypeApply', Who: 'bob@laptop' };
    expect((await app.req('LOCK', address, { token: app.admin.token, body: holder })).status).toBe(200);
    const state = (await app.req('GET', address, { token: app.admin.token })).body;
    const r0 = state.resources.find((r: any) => r.name === 'r0');
    r0.instances[0].attributes = { ...r0.instances[0].attributes, input: { value: 'hand-made', type: 'string' }, output: { value: 'hand-made', type: 'string' } };
    const pushed = await app.req('POST', `${address}?ID=${holder.ID}`, { token: app.admin.token, rawBody: JSON.stringify({ ...state, serial: state.serial + 1 }), headers: { 'content-type': 'application/json' } });
    expect(pushed.status, pushed.text).toBe(200);
    expect((await app.req('UNLOCK', address, { token: app.admin.token, body: holder })).status).toBe(200);

    const agent = await app.req('POST', '/api/v1/agents', { token: app.admin.token, body: { name: 'drift-watch', agent_type: 'drift_monitor', schedule: '*/5 * * * *', target_project_id: projectId } });
    expect(agent.status, agent.text).toBe(201);
    clock.advance(5 * MINUTE);
    await app.scheduler.tick();
    await app.scheduler.idle();
    const list = (await app.req('GET', '/api/incidents', { token: app.admin.token })).body.data.items;
    const drift = list.filter((i: any) => i.source === 'drift');
    expect(drift).toHaveLength(1);
    incidentId = drift[0].id;
  });

  it('ranks the apply of the change first, with its reasons, and lists the other evidence', async () => {
    const res = await rca({ incident_id: incidentId });
    expect(res.status, res.text).toBe(200);
    const data = res.body.data;
    expect(data).toMatchObject({ incident_id: incidentId, reference: expect.stringMatching(/^INC-\d{8}$/), projects: [{ name: 'payments' }], affected_resources: ['terraform_data.r0'] });
    expect(data.root_cause).toMatchObject({ rank: 1, kind: 'apply', run_id: changeRunId, project: 'payments', resources: ['terraform_data.r0'] });
    expect(data.root_cause.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^an apply/), expect.stringMatching(/before the incident started/), expect.stringMatching(/touched 1 of 1 affected resource: terraform_data\.r0/)]));
    const kinds = data.candidates.map((c: any) => `${c.kind}:${c.run_id ?? c.detail.action ?? c.actor}`);
    expect(kinds).toEqual(expect.arrayContaining([`apply:${firstRunId}`, 'state_write:admin@example.com', 'lock_event:state.lock', 'lock_event:state.unlock']));
    expect(data.candidates.map((c: any) => c.rank)).toEqual(data.candidates.map((_: unknown, i: number) => i + 1));
    // the state version each apply wrote is part of that apply; the hand-made one stands alone
    expect(data.candidates.filter((c: any) => c.kind === 'state_write')).toEqual([expect.objectContaining({ actor: app.admin.email, summary: expect.stringMatching(/outside a run/) })]);
    // the other project's apply is not the incident's business
    expect(JSON.stringify(data.candidates)).not.toContain('/edge');
    expect(data.symptoms).toEqual([expect.objectContaining({ kind: 'drift', resources: ['terraform_data.r0'] })]);
    expect(data.narrative).toMatchObject({ source: 'llm', model: 'test-model', text: `LLM: apply:${changeRunId} caused the drift.` });
    expect(data.analysis).toBe(data.narrative.text);
    expect(data.summary).toMatch(/Most likely cause of INC-\d+/);

    const timeline = (await app.req('GET', `/api/incidents/${incidentId}`, { token: app.admin.token })).body.data.timeline;
    expect(timeline.at(-1)).toMatchObject({ kind: 'rca', message: expect.stringMatching(/^RCA: most likely cause apply of acme\/rca\/payments/) });
  });

  it('sends the model only the evidence: no secret, no sensitive state value, no token', async () => {
    const sent = llm.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${LLM_KEY}`);
    expect(sent.body.model).toBe('test-model');
    expect(sent.body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    const evidence = JSON.parse(sent.body.messages[1].content);
    expect(Object.keys(evidence).sort()).toEqual(['affected_resources', 'candidates', 'incident', 'symptoms', 'window']);
    expect(evidence.candidates[0]).toMatchObject({ id: `apply:${changeRunId}`, addresses: ['terraform_data.r0'] });
    for (const forbidden of [SENSITIVE, 'hand-made', LLM_KEY, SECRET, app.admin.token, app.admin.password, 'atl_', 'lineage']) {
      expect(sent.raw).not.toContain(forbidden);
    }
  });

  it('falls back to the deterministic summary, with a note, when the model fails', async () => {
    llm.failWith = 503;
    try {
      const data = (await rca({ incident_id: incidentId })).body.data;
      expect(data.root_cause.run_id).toBe(changeRunId);
      expect(data.narrative).toMatchObject({ source: 'deterministic', text: data.summary, note: 'the language model was not used: the model answered HTTP 503' });
      expect(data.notes).toContain(data.narrative.note);
    } finally {
      llm.failWith = null;
    }
  });

  it('answers in the AtlasAI envelope for bad input, unknown incidents and other tenants', async () => {
    const missing = await rca({});
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ error: expect.stringContaining('incident_id'), code: 'VALIDATION_ERROR', trace_id: expect.any(String) });
    expect((await rca({ incident_id: incidentId, extra: 1 })).body.code).toBe('VALIDATION_ERROR');
    expect((await rca({ incident_id: 'INC-99999999' })).body).toMatchObject({ code: 'NOT_FOUND' });
    const other = await app.factories.tenant();
    expect((await rca({ incident_id: incidentId }, other.adminToken)).status).toBe(404);
    expect((await app.req('POST', '/api/rca', { body: { incident_id: incidentId } })).body).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('lets the model answer a copilot question from the data only', async () => {
    llm.reply = (req) => `copilot saw ${JSON.parse(req.body.messages[1].content).intents?.join(',') ?? 'evidence'}`; // RCA (asked by the copilot) sends no intents
    const res = await app.req('POST', '/api/copilot/query', { token: app.admin.token, body: { query: `What caused the drift? Which applies ran?`, persona: 'developer' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toMatchObject({ answer: 'copilot saw recent_applies,drift,incident_cause,open_incidents', narrative: { source: 'llm', model: 'test-model' } });
    const sent = JSON.parse(llm.requests.at(-1)!.body.messages[1].content);
    expect(sent).toMatchObject({ question: 'What caused the drift? Which applies ran?', persona: 'developer' });
    expect(sent.data.recent_applies ?? sent.data.recentApplies).toBeDefined();
    for (const forbidden of [SENSITIVE, 'hand-made', LLM_KEY, SECRET, app.admin.token]) expect(llm.requests.at(-1)!.raw).not.toContain(forbidden);
  });

  it('runs the same analysis as the MCP tool run_rca', async () => {
    const { token } = await agentToken(app);
    const client = await connectMcp(app, token);
    const result = await client.callTool({ name: 'run_rca', arguments: { incident_id: incidentId } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ incident_id: incidentId, root_cause: { run_id: changeRunId } });
  });
});
