import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeClouds, type FakeClouds } from '../harness/fake-clouds.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { dumpSchema, leakedMarkers } from '../harness/pg-dump.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

const tag = randomBytes(6).toString('hex').toUpperCase();
const KEYS = { access_key_id: `AKIA${tag}RUNS`, secret_access_key: `run-secret-${tag}-bPxRfiCYEXAMPLEKEY` };
const ROLE_KEYS = { access_key_id: `AKIA${tag}ROLE`, secret_access_key: `role-base-secret-${tag}-zzzz` };
const ROLE_ARN = 'arn:aws:iam::210987654321:role/ci-deploy';
const sha = (v: string) => createHash('sha256').update(v).digest('hex');

/** Prints hashes of what the run's terraform sees, and then the secret itself, raw. */
const PROBE = `resource "terraform_data" "probe" {
  input = "probe"
  provisioner "local-exec" {
    command = <<-EOT
      echo "secret-sha=$(printf '%s' "$AWS_SECRET_ACCESS_KEY" | sha256sum | cut -d' ' -f1)"
      echo "key-sha=$(printf '%s' "$AWS_ACCESS_KEY_ID" | sha256sum | cut -d' ' -f1)"
      echo "raw-secret=$AWS_SECRET_ACCESS_KEY"
      echo "raw-key=$AWS_ACCESS_KEY_ID session=$AWS_SESSION_TOKEN"
      echo "region=$AWS_REGION"
    EOT
  }
}
`;
/** Fails its apply with the secret in its error output. */
const LEAKY = `resource "terraform_data" "leak" {
  input = "leak"
  provisioner "local-exec" {
    command = "echo \\"denied for $AWS_SECRET_ACCESS_KEY\\" >&2; exit 3"
  }
}
`;

const ended = (s: string) => ['applied', 'errored', 'canceled', 'discarded', 'planned_and_finished'].includes(s);

describe('a cloud credential in runs', () => {
  let app: TestApp;
  let repo: BareRepo;
  let clouds: FakeClouds;
  let other: Awaited<ReturnType<TestApp['factories']['tenant']>>;
  const credential: Record<string, string> = {};

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'cloud' });
    await repo.commitFiles({ 'cloud/main.tf': PROBE, 'plain/main.tf': PROBE, 'envy/main.tf': PROBE, 'roled/main.tf': PROBE, 'leaky/main.tf': LEAKY }, 'probes');
    clouds = await startFakeClouds();
    clouds.aws.keys.set(ROLE_KEYS.access_key_id, { secret: ROLE_KEYS.secret_access_key, arn: 'arn:aws:iam::210987654321:user/atlantas' });
    clouds.aws.roles.set(ROLE_ARN, 'arn:aws:iam::210987654321:user/atlantas');
    app = await startTestApp({ childEnv: insteadOfEnv(repo.root), env: clouds.env });
    const make = async (body: unknown) => {
      const res = await app.req('POST', '/api/v1/cloud-credentials', { token: app.admin.token, body });
      expect(res.status, res.text).toBe(201);
      return res.body.id as string;
    };
    credential.keys = await make({ name: 'runs', provider: 'aws', credentials_json: { ...KEYS, region: 'eu-central-1' } });
    credential.role = await make({ name: 'role', provider: 'aws', credential_type: 'assume_role', credentials_json: { ...ROLE_KEYS, role_arn: ROLE_ARN } });
    const env = await app.req('POST', '/api/v1/environments', { token: app.admin.token, body: { name: 'prod', cloud_provider: 'aws', cloud_credential_id: credential.keys } });
    expect(env.status, env.text).toBe(201);
    const projects = [
      { name: 'cloudy', terraform_path: 'cloud', cloud_credential_id: credential.keys },
      { name: 'plain', terraform_path: 'plain' },
      { name: 'envy', terraform_path: 'envy', environment_id: env.body.id },
      { name: 'roled', terraform_path: 'roled', cloud_credential_id: credential.role },
      { name: 'leaky', terraform_path: 'leaky', cloud_credential_id: credential.keys },
    ];
    for (const p of projects) {
      const res = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { repository_url: 'https://github.com/acme/cloud', ...p } });
      expect(res.status, res.text).toBe(201);
    }
    other = await app.factories.tenant();
    expect((await app.req('PATCH', `/api/v1/tenants/${other.id}`, { token: app.admin.token, body: { repo_allowlist: ['acme/*'] } })).status).toBe(200);
    expect((await app.req('POST', '/api/v1/projects', { token: other.adminToken, body: { name: 'cloudy', repository_url: 'https://github.com/acme/cloud', terraform_path: 'cloud' } })).status).toBe(201);
  });
  afterAll(async () => {
    await app?.close();
    await clouds?.close();
    await repo?.cleanup();
  });

  /** Plans and applies a project as a person; returns the ended run with its log. */
  const apply = async (project: string, token = app.admin.token) => {
    const created = await app.req('POST', '/api/v1/runs', { token, body: { command: 'apply', project } });
    expect(created.status, created.text).toBe(201);
    const planned = await waitForRun(app, created.body.id, undefined, 90_000, token);
    expect(planned.status, planned.log).toBe('planned');
    expect((await app.req('POST', `/api/v1/runs/${created.body.id}/approve`, { token })).status).toBe(200);
    return waitForRun(app, created.body.id, ended, 90_000, token);
  };
  /** What the probe printed for `key` (terraform prefixes a provisioner's lines with the resource). */
  const line = (log: string, key: string) => new RegExp(`\\(local-exec\\): ${key}=(.*)$`, 'm').exec(log)?.[1]?.trimEnd();

  it('reaches the run of the project that names it as AWS_* variables, and is redacted from its log', async () => {
    const run = await apply('cloudy');
    expect(run.status, run.log).toBe('applied');
    expect(line(run.log, 'secret-sha')).toBe(sha(KEYS.secret_access_key));
    expect(line(run.log, 'key-sha')).toBe(sha(KEYS.access_key_id));
    expect(line(run.log, 'region')).toBe('eu-central-1');
    expect(line(run.log, 'raw-secret')).toBe('[REDACTED]');
    expect(run.log).not.toContain(KEYS.secret_access_key);
    expect(run.log).not.toContain(KEYS.access_key_id);
    const sse = await (await fetch(`${app.url}/api/v1/runs/${run.id}/events`, { headers: { authorization: `Bearer ${app.admin.token}` } })).text();
    expect(sse).toContain('[REDACTED]');
    expect(leakedMarkers(sse, [KEYS.secret_access_key, KEYS.access_key_id])).toEqual([]);
  });

  it('reaches the runs of an environment\'s projects that name none themselves', async () => {
    const run = await apply('envy');
    expect(run.status, run.log).toBe('applied');
    expect(line(run.log, 'secret-sha')).toBe(sha(KEYS.secret_access_key));
  });

  it('does not reach another project\'s run, nor another tenant\'s run of the same repository and directory', async () => {
    for (const run of [await apply('plain'), await apply('cloudy', other.adminToken)]) {
      expect(run.status, run.log).toBe('applied');
      expect(line(run.log, 'secret-sha')).toBe(sha(''));
      expect(line(run.log, 'key-sha')).toBe(sha(''));
      expect(run.log).not.toContain('[REDACTED]');
    }
  });

  it('gives an assume_role credential\'s runs the role\'s temporary keys, not the keys that assume it', async () => {
    const run = await apply('roled');
    expect(run.status, run.log).toBe('applied');
    const temporary = [...clouds.aws.keys.entries()].filter(([id]) => id.startsWith('ASIATEMP'));
    expect(temporary.length).toBeGreaterThan(0);
    expect(temporary.map(([id]) => sha(id))).toContain(line(run.log, 'key-sha'));
    expect(temporary.map(([, k]) => sha(k.secret))).toContain(line(run.log, 'secret-sha'));
    expect(line(run.log, 'raw-key')).toBe('[REDACTED] session=[REDACTED]');
    for (const [id, k] of temporary) expect(leakedMarkers(run.log, [id, k.secret, k.sessionToken!])).toEqual([]);
    expect(clouds.aws.calls.filter((c) => c === 'AssumeRole').length).toBe(2); // one job per phase: plan, apply
  });

  it('keeps the secret out of a failed run\'s error, and out of the database and the server log', async () => {
    const run = await apply('leaky');
    expect(run.status).toBe('errored');
    expect(run.error).toContain('denied for [REDACTED]');
    expect(run.log).toContain('denied for [REDACTED]');
    expect(leakedMarkers(JSON.stringify(run), [KEYS.secret_access_key])).toEqual([]);
    const dump = await dumpSchema(app.reuse.schema!);
    expect(dump).toContain('acme/cloud');
    expect(leakedMarkers(dump, [KEYS.secret_access_key, KEYS.access_key_id, ROLE_KEYS.secret_access_key])).toEqual([]);
    expect(leakedMarkers(app.logs.text(), [KEYS.secret_access_key, KEYS.access_key_id, ROLE_KEYS.secret_access_key])).toEqual([]);
  });
});
