import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { httpBackendEnv, makeTerraformDir, stateConfig, type TerraformDir } from '../harness/terraform.js';
import { testDatabaseUrl } from '../harness/test-db.js';

const execFileAsync = promisify(execFile);

/** The real terraform CLI, `backend "http"`, against the real server and PostgreSQL. */
describe('terraform http backend', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

  async function workdir(name: string, token: string, options: { slowSeconds?: number } = {}): Promise<TerraformDir> {
    const wd = await makeTerraformDir(httpBackendEnv(app.url, name, 'default', token));
    onTestFinished(() => wd.cleanup());
    await wd.write(stateConfig(options));
    const init = await wd.run(['init', '-input=false']);
    expect(init.code, init.output).toBe(0);
    return wd;
  }

  async function stateByName(name: string): Promise<any> {
    const list = await app.req('GET', '/api/v1/states', { token: app.admin.token });
    expect(list.status).toBe(200);
    return list.body.find((s: any) => s.name === name);
  }

  it('stores each apply as a new version, lists them, and state pull returns what was pushed', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('network');
    const wd = await workdir(name, user.token);

    const first = await wd.run(['apply', '-auto-approve', '-var', 'marker=first']);
    expect(first.code, first.output).toBe(0);
    const afterFirst = await stateByName(name);
    expect(afterFirst).toMatchObject({ project_name: name, workspace: 'default', is_locked: false, version_count: 1, lineage: expect.any(String) });

    const second = await wd.run(['apply', '-auto-approve', '-var', 'marker=second']);
    expect(second.code, second.output).toBe(0);
    const state = await stateByName(name);
    expect(state.serial).toBeGreaterThan(afterFirst.serial);
    expect(state.lineage).toBe(afterFirst.lineage);

    const versions = await app.req('GET', `/api/v1/states/${state.id}/versions`, { token: app.admin.token });
    expect(versions.status).toBe(200);
    expect(versions.body.map((v: any) => v.version)).toEqual([2, 1]);
    expect(versions.body.map((v: any) => v.serial)).toEqual([state.serial, afterFirst.serial]);
    expect(versions.body[0]).toMatchObject({ via: 'tfstate', created_by: { name: expect.stringContaining(user.email) } });

    const pull = await wd.run(['state', 'pull']);
    expect(pull.code, pull.output).toBe(0);
    const pulled = JSON.parse(pull.stdout);
    expect(pulled).toMatchObject({ serial: state.serial, lineage: state.lineage, outputs: { marker: { value: 'second' } } });
    const current = await app.req('GET', `/api/v1/tfstate/${name}/default`, { token: user.token });
    expect(JSON.parse(current.text)).toEqual(pulled);

    const v1 = await app.req('GET', `/api/v1/states/${state.id}/versions/${versions.body[1].id}`, { token: app.admin.token });
    expect(v1.status).toBe(200);
    expect(v1.headers.get('content-disposition')).toContain(`${name}-default-v1.tfstate`);
    expect(v1.body).toMatchObject({ serial: afterFirst.serial, outputs: { marker: { value: 'first' } } });
  });

  it('reads root outputs for dependencies, with sensitive outputs marked', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('outputs');
    const wd = await workdir(name, user.token);
    expect((await wd.run(['apply', '-auto-approve', '-var', 'marker=vpc-123'])).code).toBe(0);

    const outputs = await app.core.state.outputs(user.actor, name, 'default');
    expect(outputs).toEqual([
      { name: 'hidden', value: 'hidden-vpc-123', type: 'string', sensitive: true },
      { name: 'marker', value: 'vpc-123', type: 'string', sensitive: false },
    ]);
    await expect(app.core.state.outputs(user.actor, uniqueName('never-applied'), 'default')).rejects.toThrow(/no version yet/);
  });

  it('never stores or logs a planted value in plaintext', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('secrets');
    const marker = `plaintext-canary-${randomBytes(12).toString('hex')}`;
    const wd = await workdir(name, user.token);
    const apply = await wd.run(['apply', '-auto-approve', '-var', `marker=${marker}`]);
    expect(apply.code, apply.output).toBe(0);
    // Positive control: the value really is in the state Atlantas holds.
    expect((await wd.run(['state', 'pull'])).stdout).toContain(marker);

    const { stdout: dump } = await execFileAsync('pg_dump', ['--dbname', testDatabaseUrl(), '--schema', app.reuse.schema!, '--data-only'], {
      maxBuffer: 256 * 1024 * 1024,
    });
    expect(dump).toContain('state_versions');
    expect(dump).toContain(name);
    for (const form of encodings(marker)) expect(dump).not.toContain(form);
    for (const form of encodings(marker)) expect(app.logs.text()).not.toContain(form);
  });
});

/** The marker as text, as hex (how pg_dump writes bytea), and base64 at each of the 3 alignments. */
function encodings(marker: string): string[] {
  const forms = [marker, Buffer.from(marker).toString('hex')];
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.from('x'.repeat(pad) + marker).toString('base64');
    forms.push(b64.slice(4 * Math.ceil(pad / 3) + 4, -4)); // the middle, independent of the surrounding bytes
  }
  return forms;
}
