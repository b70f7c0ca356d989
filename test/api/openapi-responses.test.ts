import { randomUUID } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import type { HttpResponse, RequestOptions } from '../harness/http.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

/**
 * Real responses of the running server, validated against the response schemas of its own
 * OpenAPI document (ajv, JSON Schema 2020-12, formats checked): the presenters and the document
 * agree, field for field (response objects admit no undocumented field). The run is a real
 * terraform plan and apply, so a run, its lock and the state it wrote are shown with real values.
 */
type Check = { method: string; template: string; res: HttpResponse };

describe('responses match the OpenAPI document', () => {
  let app: TestApp;
  let repo: BareRepo;
  let ajv: Ajv2020;
  let doc: any;
  const checked: Check[] = [];

  /** Makes the request and records it for validation against `template`'s documented response. */
  const call = async (method: string, template: string, path: string, options: RequestOptions & { anonymous?: boolean } = {}) => {
    const res = await app.req(method, path, { token: options.anonymous ? undefined : app.admin.token, ...options });
    checked.push({ method, template, res });
    return res;
  };

  /** The documented schema of one response; fails when the document does not describe that status. */
  const validatorFor = ({ method, template, res }: Check) => {
    const operation = doc.paths[template]?.[['lock', 'unlock'].includes(method.toLowerCase()) ? `x-${method.toLowerCase()}` : method.toLowerCase()];
    const response = operation?.responses[String(res.status)];
    expect(response, `${method} ${template} documents status ${res.status}`).toBeDefined();
    const schema = response.content?.['application/json']?.schema;
    expect(schema, `${method} ${template} ${res.status} has a JSON schema`).toBeDefined();
    // Component references point into the document, registered as openapi.json.
    return ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')));
  };

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'responses' });
    await repo.commitFiles({ 'net/main.tf': tfData(2) }, 'two resources');
    app = await startTestApp({ childEnv: insteadOfEnv(repo.root) });
    doc = (await app.req('GET', '/api/v1/openapi.json')).body;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    (formatsPlugin as unknown as (a: Ajv2020) => void)(ajv);
    ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  it('for users, tokens, the tenant, projects, environments and instances', async () => {
    expect((await call('POST', '/api/v1/auth/login', '/api/v1/auth/login', { anonymous: true, body: { email: app.admin.email, password: app.admin.password } })).status).toBe(200);
    await call('GET', '/api/v1/auth/me', '/api/v1/auth/me');
    expect((await call('POST', '/api/v1/auth/register', '/api/v1/auth/register', { body: { email: `viewer-${randomUUID()}@example.com`, password: 'a-long-enough-password', role: 'viewer' } })).status).toBe(201);
    await call('GET', '/api/v1/users', '/api/v1/users');
    const token = await call('POST', '/api/v1/users/tokens', '/api/v1/users/tokens', { body: { name: 'ci', expires_in_days: 30 } });
    expect(token.status).toBe(201);
    await call('GET', '/api/v1/users/tokens', '/api/v1/users/tokens');
    await call('GET', '/api/v1/tenant', '/api/v1/tenant');
    await call('GET', '/api/v1/tenant/usage', '/api/v1/tenant/usage');
    await call('GET', '/api/v1/dashboard/stats', '/api/v1/dashboard/stats');

    const instance = await call('POST', '/api/v1/instances', '/api/v1/instances', { body: { name: `inst-${randomUUID().slice(0, 8)}`, config_json: { size: 'small' } } });
    expect(instance.status, instance.text).toBe(201);
    const env = await call('POST', '/api/v1/environments', '/api/v1/environments', { body: { name: `env-${randomUUID().slice(0, 8)}`, cloud_provider: 'aws', region: 'eu-west-1' } });
    expect(env.status, env.text).toBe(201);
    const project = await call('POST', '/api/v1/projects', '/api/v1/projects', {
      body: { name: `net-${randomUUID().slice(0, 8)}`, repository_url: 'acme/responses', terraform_path: 'net', environment_id: env.body.id },
    });
    expect(project.status, project.text).toBe(201);
    await call('POST', '/api/v1/projects/{id}/assign/{instanceId}', `/api/v1/projects/${project.body.id}/assign/${instance.body.id}`);
    await call('GET', '/api/v1/projects/{id}', `/api/v1/projects/${project.body.id}`);
    await call('GET', '/api/v1/projects', '/api/v1/projects');
    await call('GET', '/api/v1/projects/graph', '/api/v1/projects/graph');
    await call('GET', '/api/v1/environments/{id}', `/api/v1/environments/${env.body.id}`);
    await call('GET', '/api/v1/instances', '/api/v1/instances');
    expect((await call('DELETE', '/api/v1/users/tokens/{id}', `/api/v1/users/tokens/${token.body.id}`)).status).toBe(204);
  });

  it('for Slack installations and link codes', async () => {
    const installed = await call('POST', '/api/v1/slack/installations', '/api/v1/slack/installations', {
      body: { team_id: 'TRESPONSES', team_name: 'responses', bot_token: 'xoxb-0000000000-responses', default_channel: 'C0RESP' },
    });
    expect(installed.status, installed.text).toBe(201);
    await call('GET', '/api/v1/slack/installations', '/api/v1/slack/installations');
    expect((await call('POST', '/api/v1/users/me/slack-link', '/api/v1/users/me/slack-link')).status).toBe(201);
    expect((await call('DELETE', '/api/v1/slack/installations/{teamId}', '/api/v1/slack/installations/TRESPONSES')).status).toBe(204);
  });

  it('for a real plan and apply: the run with its log, its lock, the state it wrote and its versions', async () => {
    const created = await call('POST', '/api/v1/runs', '/api/v1/runs', { body: { command: 'apply', repo: 'acme/responses', branch: 'main', dir: 'net', title: 'responses' } });
    expect(created.status, created.text).toBe(201);
    const planned = await waitForRun(app, created.body.id);
    expect(planned.status, planned.log).toBe('planned');
    const run = await call('GET', '/api/v1/runs/{id}', `/api/v1/runs/${created.body.id}`);
    expect(run.body).toMatchObject({ has_changes: true, resources_added: 2, resource_changes: [expect.objectContaining({ action: 'create' }), expect.anything()] });
    await call('GET', '/api/v1/runs', '/api/v1/runs?per_page=5');
    const locks = await call('GET', '/api/v1/locks', '/api/v1/locks?repo=acme/responses');
    expect(locks.body).toHaveLength(1);

    expect((await call('POST', '/api/v1/runs/{id}/approve', `/api/v1/runs/${created.body.id}/approve`)).status).toBe(200);
    expect((await waitForRun(app, created.body.id, (s) => s === 'applied' || s === 'errored')).status).toBe('applied');
    const again = await call('POST', '/api/v1/runs/{id}/approve', `/api/v1/runs/${created.body.id}/approve`);
    expect(again.status).toBe(409);

    const states = await call('GET', '/api/v1/states', '/api/v1/states');
    const state = states.body.find((s: any) => s.serial !== null);
    expect(state).toBeDefined();
    await call('GET', '/api/v1/states/{id}', `/api/v1/states/${state.id}`);
    const versions = await call('GET', '/api/v1/states/{id}/versions', `/api/v1/states/${state.id}/versions`);
    expect(versions.body.length).toBeGreaterThan(0);
    await call('GET', '/api/v1/states/{id}/versions/{versionId}', `/api/v1/states/${state.id}/versions/${versions.body[0].id}`);
    await call('GET', '/api/v1/audit', '/api/v1/audit?action=run.approve');
  });

  it('for errors: the v1 error shape, and the state backend\'s LockInfo on a lock conflict', async () => {
    expect((await call('GET', '/api/v1/projects/{id}', `/api/v1/projects/${randomUUID()}`)).status).toBe(404);
    const invalid = await call('POST', '/api/v1/projects', '/api/v1/projects', { body: { name: '-bad', auto_apply: 'yes' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.length).toBeGreaterThan(1);
    expect((await call('GET', '/api/v1/auth/me', '/api/v1/auth/me', { anonymous: true })).status).toBe(401);

    const path = `/api/v1/tfstate/responses-${randomUUID().slice(0, 8)}/default`;
    const holder = { ID: randomUUID(), Operation: 'OperationTypeApply', Who: 'alice@laptop', Version: '1.11.4', Created: new Date().toISOString(), Path: '', Info: '' };
    expect((await app.req('LOCK', path, { token: app.admin.token, body: holder })).status).toBe(200);
    const conflict = await call('LOCK', '/api/v1/tfstate/{name}/{workspace}', path, { body: { ...holder, ID: randomUUID() } });
    expect(conflict.status).toBe(423);
    expect(conflict.body).toMatchObject({ ID: holder.ID });
  });

  it('every recorded response validates against its documented schema', () => {
    expect(checked.length).toBeGreaterThan(30);
    const failures = checked
      .filter((c) => c.res.status !== 204)
      .flatMap((c) => {
        const validate = validatorFor(c);
        return validate(c.res.body) ? [] : [`${c.method} ${c.template} ${c.res.status}: ${ajv.errorsText(validate.errors)}`];
      });
    expect(failures).toEqual([]);
  });

  it('would catch a presenter that drifts from the document', () => {
    const run = checked.find((c) => c.template === '/api/v1/runs/{id}' && c.res.status === 200)!;
    const validate = validatorFor(run);
    expect(validate({ ...run.res.body, secret_field: 'x' })).toBe(false);
    const { status: _status, ...withoutStatus } = run.res.body;
    expect(validate(withoutStatus)).toBe(false);
    expect(validate({ ...run.res.body, created_at: 'yesterday' })).toBe(false);
  });
});
