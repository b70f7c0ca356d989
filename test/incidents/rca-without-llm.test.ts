import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const SECRET = 'rca-without-llm-secret';

const failing = `resource "terraform_data" "deploy" {
  input = "x"
  provisioner "local-exec" {
    command = "exit 1"
  }
}
`;

/** With no ATLANTAS_LLM_URL, RCA and the copilot answer from the data by their own rules. */
describe('RCA and copilot without a language model', () => {
  let app: TestApp;
  let repo: BareRepo;
  let applyRunId: string;
  let reference: string;

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'plain' });
    await repo.commitFiles({ 'api/main.tf': tfData(1), 'broken/main.tf': failing }, 'api and broken');
    app = await startTestApp({ env: { ATLANTAS_API_SECRET: SECRET }, childEnv: insteadOfEnv(repo.root) });
    for (const name of ['api', 'broken']) {
      const res = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name, repository_url: 'https://github.com/acme/plain', terraform_path: name } });
      expect(res.status, res.text).toBe(201);
    }
    for (const dir of ['api', 'broken']) {
      await app.req('POST', '/api/apply', { headers: { 'x-atlantis-token': SECRET }, body: { Repository: 'acme/plain', Ref: 'main', Type: 'Github', Paths: [{ Directory: dir, Workspace: 'default' }] } });
    }
    [{ id: applyRunId }] = await app.sql<{ id: string }>("SELECT id FROM runs WHERE dir = 'api' AND status = 'applied'");
    const incident = await app.req('POST', '/api/incidents', { token: app.admin.token, body: { title: 'api answers 500', severity: 'P1', ci_ids: ['api', 'terraform_data.r0'] } });
    expect(incident.status, incident.text).toBe(201);
    reference = incident.body.data.reference;
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const copilot = (body: unknown, token = app.admin.token) => app.req('POST', '/api/copilot/query', { token, body });

  it('RCA names the apply from the incident\'s CIs, in a deterministic summary', async () => {
    const res = await app.req('POST', '/api/rca', { token: app.admin.token, body: { incident_id: reference } });
    expect(res.status, res.text).toBe(200);
    const data = res.body.data;
    expect(data).toMatchObject({ reference, projects: [{ name: 'api' }], affected_resources: ['terraform_data.r0'], root_cause: { kind: 'apply', run_id: applyRunId } });
    expect(data.narrative).toEqual({ source: 'deterministic', model: null, text: data.summary, note: null });
    expect(data.summary).toMatch(new RegExp(`^Most likely cause of ${reference} \\("api answers 500"\\): apply of acme/plain/api \\(default\\) applied`));
    expect(data.summary).toContain('It changed terraform_data.r0, which is affected.');
    // the same data, the same answer
    const again = (await app.req('POST', '/api/rca', { token: app.admin.token, body: { incident_id: reference } })).body.data;
    expect(again.candidates.map((c: any) => [c.id, c.score])).toEqual(data.candidates.map((c: any) => [c.id, c.score]));
  });

  it('RCA of an incident naming no project looks at every project, and says so', async () => {
    const bare = (await app.req('POST', '/api/incidents', { token: app.admin.token, body: { title: 'something is slow' } })).body.data;
    const data = (await app.req('POST', '/api/rca', { token: app.admin.token, body: { incident_id: bare.id } })).body.data;
    expect(data.projects.map((p: any) => p.name).sort()).toEqual(['api', 'broken']);
    expect(data.notes).toEqual([expect.stringMatching(/names no project.*every project of the tenant/)]);
    expect(data.candidates.map((c: any) => c.run_id)).toContain(applyRunId);
  });

  it('the copilot answers from runs, drift, incidents and state history by keywords', async () => {
    const failed = (await copilot({ query: 'Which runs failed this week?', persona: 'sre' })).body.data;
    expect(failed.intents).toEqual(['failed_runs']);
    expect(failed.data.failed_runs).toEqual([expect.objectContaining({ project: 'broken', status: 'errored' })]);
    expect(failed.answer).toMatch(/^1 failed runs in the last 7 days: broken \(apply, errored/);
    expect(failed.narrative).toMatchObject({ source: 'deterministic' });

    expect((await copilot({ query: 'is anything drifted?' })).body.data).toMatchObject({ intents: ['drift'], answer: 'No project has drift.', persona: 'sre' });

    const cause = (await copilot({ query: `What caused ${reference} last night?` })).body.data;
    expect(cause.intents).toEqual(['incident_cause', 'open_incidents']);
    expect(cause.data.incident_cause).toMatchObject({ reference, top_candidate: `apply:${applyRunId}` });
    expect(cause.answer).toContain(`Most likely cause of ${reference}`);
    expect(cause.answer).toMatch(/3 open incidents: INC-\d+ P\d/); // with the one the errored apply opened

    const manager = (await copilot({ query: 'state versions?', persona: 'manager' })).body.data;
    expect(manager.intents).toEqual(['state_history']);
    expect(manager.answer).toMatch(/^\d+ state writes in the last 7 days\.$/);

    const overview = (await copilot({ query: 'how are we doing?' })).body.data;
    expect(overview.intents).toEqual(['failed_runs', 'recent_applies', 'drift', 'open_incidents']);
  });

  it('keeps the copilot inside the caller\'s tenant and answers bad input in the envelope', async () => {
    const other = await app.factories.tenant();
    const elsewhere = (await copilot({ query: 'which runs failed? any incidents?' }, other.adminToken)).body.data;
    expect(elsewhere.data).toMatchObject({ failed_runs: [], open_incidents: [] });
    expect((await copilot({ query: '' })).body).toMatchObject({ code: 'VALIDATION_ERROR', error: expect.stringContaining('query') });
    expect((await copilot({ query: 'hi', persona: 'pirate' })).body).toMatchObject({ code: 'VALIDATION_ERROR', error: expect.stringContaining('persona: must be one of sre, developer, manager, security') });
    expect((await app.req('POST', '/api/copilot/query', { body: { query: 'hi' } })).status).toBe(401);
  });
});
