import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as tarCreate } from 'tar';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { JobRunner } from '../../src/core/runs/job-runner.js';
import type { Job } from '../../src/core/runs/job.js';
import { ProcessTerraformRunner } from '../../src/core/terraform/process-terraform-runner.js';
import { WorkingCopies } from '../../src/core/terraform/working-copy.js';
import { ListenerClient } from '../../src/runner/listener-client.js';
import { captureLogs } from '../harness/capture-logs.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';
import { tfeRequest } from './tfe-harness.js';

/**
 * TFE agent pools are runner pools; a listener is a runner that joined through the TFE API. The
 * server keeps its in-process workers on: they must pass over a run whose project waits for the
 * agent pool, which only a listener of that pool runs.
 */
describe('TFE agent pools and listeners', () => {
  let app: TestApp;
  let repo: BareRepo;
  let dataDir: string;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'agents' });
    await repo.commitFiles({ 'app/main.tf': tfData(1, 'agent'), 'local/main.tf': tfData(1, 'local'), 'lost/main.tf': tfData(1, 'lost') }, 'three projects');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-listener-'));
    app = await startTestApp({ env: { ATLANTAS_RUNNER_TIMEOUT: '2s' }, childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const api = (method: string, p: string, token: string | undefined, body?: unknown) => tfeRequest(app, method, p, token, body);
  const newPool = async (name: string) => {
    const res = await api('POST', '/organizations/default/agent-pools', app.admin.token, { data: { type: 'agent-pools', attributes: { name } } });
    expect(res.status, res.text).toBe(201);
    return res.body.data.id as string;
  };
  const joinToken = async (poolId: string) => {
    const res = await api('POST', `/agent-pools/${poolId}/authentication-tokens`, app.admin.token, { data: { type: 'authentication-tokens', attributes: { description: 'k8s' } } });
    expect(res.status, res.text).toBe(201);
    return res.body.data.attributes.token as string;
  };

  /** Executes a job the way `atlantas runner` does (the same JobRunner and terraform runner), reporting through the listener protocol. */
  async function execute(listener: ListenerClient, job: Job): Promise<void> {
    const log = captureLogs().log;
    const childEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...insteadOfEnv(repo.root) };
    const jobs = new JobRunner({
      workingCopies: new WorkingCopies({ root: path.join(dataDir, 'repos'), log, baseEnv: childEnv }),
      terraform: new ProcessTerraformRunner({ binary: 'terraform', cancelGraceMs: 1000, log, baseEnv: childEnv, sandbox: null }),
      scratchDir: path.join(dataDir, 'runs'), serverUrl: () => app.url, log,
    });
    const beat = setInterval(() => void listener.heartbeat([job.runId]).catch(() => undefined), listener.joined.heartbeat_ms);
    try {
      await jobs.execute(job, listener.sink(job.runId), new AbortController().signal);
    } finally {
      clearInterval(beat);
    }
  }

  it('pools: admin-only create, tenant isolation, tokens shown once; join: bad token 401, a certificate of the pool\'s CA with the listener\'s name, re-join reissues', async () => {
    const poolId = await newPool('aws-prod');
    const member = await app.factories.user({ role: 'member' });
    const refused = await api('POST', '/organizations/default/agent-pools', member.token, { data: { type: 'agent-pools', attributes: { name: 'mine' } } });
    expect(refused.status).toBe(403);
    const listed = await api('GET', '/organizations/default/agent-pools', member.token);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((p: any) => p.attributes.name)).toContain('aws-prod');
    const shown = await api('GET', `/agent-pools/${poolId}`, member.token);
    expect(shown.body.data).toMatchObject({ id: poolId, type: 'agent-pools', attributes: { name: 'aws-prod' }, relationships: { organization: { data: { id: 'default' } } } });
    // the same pool through the runner-pools API: one pool model
    expect((await app.req('GET', '/api/v1/runner-pools', { token: app.admin.token })).body.map((p: any) => p.id)).toContain(poolId);

    const other = await app.factories.tenant('agents-other');
    expect((await api('GET', `/agent-pools/${poolId}`, other.adminToken)).status).toBe(404);
    expect((await api('DELETE', `/agent-pools/${poolId}`, other.adminToken)).status).toBe(404);
    expect((await api('POST', `/agent-pools/${poolId}/authentication-tokens`, other.adminToken, { data: { attributes: {} } })).status).toBe(404);
    expect((await api('GET', '/organizations/default/agent-pools', other.adminToken)).status).toBe(404);
    expect((await api('GET', '/organizations/agents-other/agent-pools', other.adminToken)).body.data.map((p: any) => p.id)).not.toContain(poolId);

    const raw = await joinToken(poolId);
    expect(raw).toMatch(/^atr_/);
    const tokens = await api('GET', `/agent-pools/${poolId}/authentication-tokens`, app.admin.token);
    expect(tokens.body.data).toHaveLength(1);
    expect(tokens.body.data[0].attributes.description).toBe('k8s');
    expect(tokens.body.data[0].attributes).not.toHaveProperty('token');
    expect(tokens.text).not.toContain(raw);

    const bad = await api('POST', '/agent-pools/join', undefined, { join_token: `atr_${'x'.repeat(43)}`, name: 'l1' });
    expect(bad.status).toBe(401);
    expect(bad.body.errors[0].status).toBe('401');
    const missing = await api('POST', '/agent-pools/join', undefined, { name: 'l1' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].detail).toContain('join_token');

    const joined = await api('POST', '/agent-pools/join', undefined, { join_token: raw, name: 'listener-1', runner_definitions: ['standard'] });
    expect(joined.status, joined.text).toBe(201);
    const j = joined.body;
    expect(j).toMatchObject({ pool_id: poolId, name: 'listener-1' });
    const ca = new X509Certificate(j.ca_certificate);
    const cert = new X509Certificate(j.certificate);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.subject).toContain('CN=listener-1');
    expect(cert.subjectAltName).toContain(j.listener_id);
    expect(cert.checkPrivateKey(createPrivateKey(j.private_key))).toBe(true);
    expect(ca.ca).toBe(true);
    // the CA's private key is sealed at rest under the current key
    const [row] = await app.sql('SELECT key_id, key_sealed FROM listener_ca');
    expect(row.key_id).toBe(app.internals.encryptor.currentKeyId);
    expect(Buffer.from(row.key_sealed).toString('latin1')).not.toContain('PRIVATE KEY');

    // the legacy path, a listener credential used as a join token, a token of another pool
    expect((await api('POST', `/agent-pools/${poolId}/listeners/join`, undefined, { join_token: j.credential, name: 'l2' })).status).toBe(401);
    const otherPool = await newPool('other-pool');
    expect((await api('POST', `/agent-pools/${otherPool}/listeners/join`, undefined, { join_token: raw, name: 'l2' })).status).toBe(401);
    const legacy = await api('POST', `/agent-pools/${poolId}/listeners/join`, undefined, { join_token: raw, name: 'listener-2' });
    expect(legacy.status, legacy.text).toBe(201);

    // the listener's credential: its own calls only
    const beat = await api('POST', `/listeners/${j.listener_id}/heartbeat`, j.credential, {});
    expect(beat.status, beat.text).toBe(200);
    expect(beat.body).toMatchObject({ cancel: [], heartbeat_ms: 400 });
    expect((await api('POST', `/listeners/${legacy.body.listener_id}/heartbeat`, j.credential, {})).status).toBe(401);
    expect((await api('POST', `/listeners/${j.listener_id}/heartbeat`, undefined, {})).status).toBe(401);
    expect((await app.req('POST', '/api/v1/runner/register', { token: j.credential, body: { name: 'x', version: 'y' } })).status).toBe(401);
    expect((await app.req('GET', '/api/v1/runs', { token: j.credential })).status).toBe(401);
    const renewed = await api('POST', `/listeners/${j.listener_id}/renew`, j.credential, {});
    expect(renewed.status, renewed.text).toBe(200);
    expect(new X509Certificate(renewed.body.certificate).verify(ca.publicKey)).toBe(true);
    expect(renewed.body.certificate).not.toBe(j.certificate);

    // joining again under the same name: the same listener, a new certificate and credential; the old one stops working
    const again = await api('POST', '/agent-pools/join', undefined, { join_token: raw, name: 'listener-1' });
    expect(again.status).toBe(201);
    expect(again.body.listener_id).toBe(j.listener_id);
    expect(again.body.credential).not.toBe(j.credential);
    expect(again.body.ca_certificate).toBe(j.ca_certificate);
    expect((await api('POST', `/listeners/${j.listener_id}/heartbeat`, j.credential, {})).status).toBe(401);
    expect((await api('POST', `/listeners/${j.listener_id}/heartbeat`, again.body.credential, {})).status).toBe(200);
    const runners = await app.req('GET', `/api/v1/runner-pools/${poolId}/runners`, { token: app.admin.token });
    expect(runners.body.map((r: any) => r.name).sort()).toEqual(['listener-1', 'listener-2']);

    expect((await api('DELETE', `/agent-pools/${otherPool}`, member.token)).status).toBe(403);
    expect((await api('DELETE', `/agent-pools/${otherPool}`, app.admin.token)).status).toBe(204);
    expect((await api('GET', `/agent-pools/${otherPool}`, app.admin.token)).status).toBe(404);
  });

  it('a workspace in agent mode runs its project on the pool: the run waits for a listener, which claims it through runs/next, plans it and applies it', { timeout: 180_000 }, async () => {
    const poolId = await newPool('agents');
    const project = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'agent-app', repository_url: 'acme/agents', terraform_path: 'app' } });
    expect(project.status, project.text).toBe(201);
    const other = await app.factories.tenant('agents-third');
    const foreign = await app.req('POST', '/api/v1/runner-pools', { token: other.adminToken, body: { name: 'theirs' } });
    const ws = (pool: string) => ({
      data: { type: 'workspaces', attributes: { name: 'agent-app', 'execution-mode': 'agent' }, relationships: { project: { data: { id: project.body.id } }, 'agent-pool': { data: { id: pool, type: 'agent-pools' } } } },
    });
    const refused = await api('POST', '/organizations/default/workspaces', app.admin.token, ws(foreign.body.id));
    expect(refused.status).toBe(404);
    expect((await app.sql('SELECT runner_pool_id FROM projects WHERE id = :id', { id: project.body.id }))[0].runner_pool_id).toBeNull();
    const created = await api('POST', '/organizations/default/workspaces', app.admin.token, ws(poolId));
    expect(created.status, created.text).toBe(201);
    expect(created.body.data.attributes).toMatchObject({ 'execution-mode': 'agent', 'agent-pool-id': poolId });
    expect((await app.sql('SELECT runner_pool_id FROM projects WHERE id = :id', { id: project.body.id }))[0].runner_pool_id).toBe(poolId);

    const agentRun = (await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { project: 'agent-app', command: 'apply' } })).body;
    // an unpooled plan queued after it runs on the in-process worker and ends; the agent run is still waiting
    const local = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'plan', repo: 'acme/agents', branch: 'main', dir: 'local' } });
    expect(local.status, local.text).toBe(201);
    expect(['planned', 'planned_and_finished']).toContain((await waitForRun(app, local.body.id)).status);
    expect((await app.req('GET', `/api/v1/runs/${agentRun.id}`, { token: app.admin.token })).body.status).toBe('pending');

    const listener = await ListenerClient.join(app.url, await joinToken(poolId), 'runs-here');
    const job = await listener.next(5);
    expect(job?.runId).toBe(agentRun.id);
    expect((await app.sql('SELECT worker_id FROM runs WHERE id = :id', { id: agentRun.id }))[0].worker_id).toBe(`runner:${listener.id}`);
    // a listener credential reaches only the run it claimed
    const runner = listener.runner();
    await expect(runner.send('GET', `/jobs/${local.body.id}`)).rejects.toMatchObject({ status: 404 });
    expect((await api('PATCH', `/listeners/${listener.id}/runs/${local.body.id}`, listener.joined.credential, { data: { type: 'runs', attributes: { status: 'errored', error: 'x' } } })).status).toBe(404);
    expect((await api('PATCH', `/listeners/${listener.id}/runs/${agentRun.id}`, listener.joined.credential, { data: { type: 'runs', attributes: { status: 'planned' } } })).status).toBe(400);
    expect((await api('PATCH', `/listeners/${listener.id}/runs/${agentRun.id}`, listener.joined.credential, { data: { type: 'runs', attributes: { status: 'planning' } } })).status).toBe(200);

    await execute(listener, job!);
    const planned = await waitForRun(app, agentRun.id);
    expect(planned.status, planned.error ?? planned.log).toBe('planned');
    expect(planned.log).toContain('terraform_data.r0 will be created');

    // the approved apply waits for the pool too, and runs on the listener with the saved plan
    expect((await app.req('POST', `/api/v1/runs/${agentRun.id}/approve`, { token: app.admin.token })).status).toBe(200);
    const applyJob = await listener.next(5);
    expect(applyJob).toMatchObject({ runId: agentRun.id, phase: 'apply' });
    await execute(listener, applyJob!);
    const applied = await waitForRun(app, agentRun.id, (s) => ['applied', 'errored'].includes(s));
    expect(applied.status, applied.error ?? applied.log).toBe('applied');
    expect((await app.sql('SELECT worker_id FROM runs WHERE id = :id', { id: agentRun.id }))[0].worker_id).toBe(`runner:${listener.id}`);

    // leaving agent mode: the project's runs go back to the in-process workers
    const back = await api('PATCH', `/workspaces/${created.body.data.id}`, app.admin.token, { data: { attributes: { 'execution-mode': 'remote' } } });
    expect(back.status, back.text).toBe(200);
    expect((await app.sql('SELECT runner_pool_id FROM projects WHERE id = :id', { id: project.body.id }))[0].runner_pool_id).toBeNull();
  });

  it('a TFE remote run of an agent-mode workspace without a project waits for the workspace\'s pool and runs on its listener', { timeout: 180_000 }, async () => {
    const poolId = await newPool('projectless');
    const created = await api('POST', '/organizations/default/workspaces', app.admin.token, {
      data: { type: 'workspaces', attributes: { name: 'agent-only', 'execution-mode': 'agent', 'agent-pool-id': poolId } },
    });
    expect(created.status, created.text).toBe(201);
    const workspaceId = created.body.data.id;
    const cv = await api('POST', `/workspaces/${workspaceId}/configuration-versions`, app.admin.token, { data: { attributes: { 'auto-queue-runs': false } } });
    expect(cv.status, cv.text).toBe(201);
    const src = await mkdtemp(path.join(os.tmpdir(), 'atlantas-agent-cv-'));
    onTestFinished(() => rm(src, { recursive: true, force: true }));
    await writeFile(path.join(src, 'main.tf'), tfData(1, 'agent-only'));
    const chunks: Buffer[] = [];
    for await (const c of tarCreate({ gzip: true, cwd: src, portable: true }, ['main.tf']) as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
    expect((await fetch(cv.body.data.attributes['upload-url'], { method: 'PUT', body: Buffer.concat(chunks) })).status).toBe(200);
    const queued = await api('POST', '/runs', app.admin.token, { data: { attributes: { 'plan-only': true }, relationships: { workspace: { data: { id: workspaceId } } } } });
    expect(queued.status, queued.text).toBe(201);
    const runId = queued.body.data.attributes['atlantas-run-id'];

    // the in-process worker passes over it: an unpooled plan queued after it ends first
    const local = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'plan', repo: 'acme/agents', branch: 'main', dir: 'local' } });
    expect(['planned', 'planned_and_finished']).toContain((await waitForRun(app, local.body.id)).status);
    expect((await app.req('GET', `/api/v1/runs/${runId}`, { token: app.admin.token })).body.status).toBe('pending');

    const listener = await ListenerClient.join(app.url, await joinToken(poolId), 'projectless-listener');
    const job = await listener.next(5);
    expect(job).toMatchObject({ runId, phase: 'plan', archive: { path: expect.stringContaining('/configuration-archive') } });
    await execute(listener, job!);
    const planned = await waitForRun(app, runId);
    expect(planned.status, planned.error ?? planned.log).toBe('planned_and_finished');
    expect(planned.log).toContain('terraform_data.r0 will be created');
    expect((await app.sql('SELECT worker_id FROM runs WHERE id = :id', { id: runId }))[0].worker_id).toBe(`runner:${listener.id}`);
  });

  it('a listener that stops heartbeating: its run is errored with the reason and its locks are released', { timeout: 120_000 }, async () => {
    const poolId = await newPool('lossy');
    const project = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'lost-app', repository_url: 'acme/agents', terraform_path: 'lost' } });
    expect(project.status, project.text).toBe(201);
    // another tenant's admin cannot point anything at this pool
    await expect(app.core.runners.assignProjectPool((await app.factories.tenant('agents-lossy')).adminActor, project.body.id, poolId)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect((await app.sql('SELECT runner_pool_id FROM projects WHERE id = :id', { id: project.body.id }))[0].runner_pool_id).toBeNull();
    const created = await api('POST', '/organizations/default/workspaces', app.admin.token, {
      data: { type: 'workspaces', attributes: { name: 'lost-app', 'execution-mode': 'agent', 'agent-pool-id': poolId }, relationships: { project: { data: { id: project.body.id } } } },
    });
    expect(created.status, created.text).toBe(201);
    const run = (await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { project: 'lost-app', command: 'plan' } })).body;
    const listener = await ListenerClient.join(app.url, await joinToken(poolId), 'goes-away');
    const job = await listener.next(5);
    expect(job?.runId).toBe(run.id);
    const held = await app.sql('SELECT run_id FROM project_locks WHERE run_id = :id', { id: run.id });
    // no heartbeat from here on
    const errored = await waitForRun(app, run.id, (s) => s !== 'planning', 60_000);
    expect(errored.status).toBe('errored');
    expect(errored.status_reason).toMatch(new RegExp(`^interrupted: the runner executing this plan \\(runner:${listener.id}\\) stopped heartbeating before it finished$`));
    expect(await app.sql('SELECT run_id FROM project_locks WHERE run_id = :id', { id: run.id })).toEqual([]);
    expect(held).toEqual([{ run_id: run.id }]);
    await expect(listener.runner().send('GET', `/jobs/${run.id}`)).rejects.toMatchObject({ status: 404 });
  });
});

describe('TFE agent listeners on the embedded database', () => {
  it('joins, claims its pool\'s run and reports it errored: the run ends with the listener\'s reason', { timeout: 120_000 }, async () => {
    const repo = await createBareRepo({ owner: 'acme', name: 'emb' });
    onTestFinished(() => repo.cleanup());
    await repo.commitFiles({ 'app/main.tf': tfData(1) }, 'one project');
    const app = await startTestApp({ embedded: true, env: { ATLANTAS_WORKERS: 'false' }, childEnv: insteadOfEnv(repo.root) });
    onTestFinished(() => app.close());
    const api = (method: string, p: string, token: string | undefined, body?: unknown) => app.req(method, `/api/v2${p}`, { token, body });
    const pool = await api('POST', '/organizations/default/agent-pools', app.admin.token, { data: { type: 'agent-pools', attributes: { name: 'embedded' } } });
    expect(pool.status, pool.text).toBe(201);
    const token = (await api('POST', `/agent-pools/${pool.body.data.id}/authentication-tokens`, app.admin.token, {})).body.data.attributes.token;
    const project = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'emb', repository_url: 'acme/emb', terraform_path: 'app' } });
    const ws = await api('POST', '/organizations/default/workspaces', app.admin.token, {
      data: { type: 'workspaces', attributes: { name: 'emb', 'execution-mode': 'agent', 'agent-pool-id': pool.body.data.id }, relationships: { project: { data: { id: project.body.id } } } },
    });
    expect(ws.status, ws.text).toBe(201);
    const listener = await ListenerClient.join(app.url, token, 'embedded-listener');
    expect(new X509Certificate(listener.joined.certificate).verify(new X509Certificate(listener.joined.ca_certificate).publicKey)).toBe(true);
    expect(await listener.next(0)).toBeNull();
    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { project: 'emb', command: 'plan' } });
    expect(created.status, created.text).toBe(201);
    const run = created.body;
    const job = await listener.next(5);
    expect(job?.runId).toBe(run.id);
    expect(await listener.report(run.id, { status: 'errored', error: 'the listener\'s pod was evicted', 'status-reason': 'evicted' })).toMatchObject({ status: 'errored' });
    const ended = await waitForRun(app, run.id);
    expect(ended).toMatchObject({ status: 'errored', status_reason: 'evicted' });
    expect(ended.error).toContain('evicted');
  });
});
