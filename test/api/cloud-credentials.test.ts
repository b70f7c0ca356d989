import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeClouds, type FakeClouds } from '../harness/fake-clouds.js';
import { dumpSchema, leakedMarkers } from '../harness/pg-dump.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

const tag = randomBytes(6).toString('hex').toUpperCase();
const AWS = { access_key_id: `AKIA${tag}AAAA`, secret_access_key: `aws-secret-${tag}-wJalrXUtnFEMI` };
const ROLE_KEYS = { access_key_id: `AKIA${tag}ROLE`, secret_access_key: `aws-role-secret-${tag}-K7MDENG` };
const ROLE_ARN = 'arn:aws:iam::123456789012:role/deploy';
const HETZNER = `hcloud-token-${tag}-${'x'.repeat(20)}`;
const DO = `dop_v1_${tag.toLowerCase()}${'f'.repeat(40)}`;
const AZURE = { client_id: '11111111-2222-3333-4444-555555555555', client_secret: `azure-secret-${tag}~abc`, tenant_id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', subscription_id: '99999999-8888-7777-6666-555555555555' };
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const GCP = {
  type: 'service_account', project_id: 'acme-prod', private_key_id: `kid${tag.toLowerCase()}`, private_key: privateKey,
  client_email: 'deployer@acme-prod.iam.gserviceaccount.com', client_id: '1234567890', token_uri: 'https://oauth2.googleapis.com/token',
};
const SECRETS = [AWS.secret_access_key, ROLE_KEYS.secret_access_key, HETZNER, DO, AZURE.client_secret, GCP.private_key_id];

describe('cloud credentials', () => {
  let app: TestApp;
  let clouds: FakeClouds;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    clouds = await startFakeClouds();
    clouds.aws.keys.set(AWS.access_key_id, { secret: AWS.secret_access_key, arn: 'arn:aws:iam::123456789012:user/ci' });
    clouds.aws.keys.set(ROLE_KEYS.access_key_id, { secret: ROLE_KEYS.secret_access_key, arn: 'arn:aws:iam::123456789012:user/assumer' });
    clouds.aws.roles.set(ROLE_ARN, 'arn:aws:iam::123456789012:user/assumer');
    clouds.gcp.accounts.set(GCP.client_email, publicKey);
    clouds.azure.apps.set(AZURE.client_id, { secret: AZURE.client_secret, tenant: AZURE.tenant_id });
    clouds.hetzner.tokens.add(HETZNER);
    clouds.digitalocean.tokens.set(DO, 'ops@acme.example');
    app = await startTestApp({ env: clouds.env });
  });
  afterAll(async () => {
    await app?.close();
    await clouds?.close();
  });

  const post = (body: unknown, token = app.admin.token) => app.req('POST', '/api/v1/cloud-credentials', { token, body });

  it('stores a credential of each provider encrypted, and shows field names and a fingerprint, never a secret', async () => {
    const inputs = [
      { name: 'AWS Production', provider: 'aws', credential_type: 'access_key', credentials_json: { ...AWS, region: 'eu-west-1' } },
      { name: 'AWS deploy role', provider: 'aws', credential_type: 'assume_role', credentials_json: { ...ROLE_KEYS, role_arn: ROLE_ARN } },
      { name: 'GCP prod', provider: 'gcp', credentials_json: GCP },
      { name: 'Azure prod', provider: 'azure', credentials_json: AZURE },
      { name: 'Hetzner', provider: 'hetzner', credentials_json: { token: HETZNER } },
      { name: 'DigitalOcean', provider: 'digitalocean', credentials_json: { token: DO } },
    ];
    for (const input of inputs) {
      const res = await post(input);
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ name: input.name, provider: input.provider, fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{32}$/), last_validated_at: null, last_validation: null });
      expect(res.body.fields).toEqual(Object.keys(input.credentials_json).sort());
      ids[input.name] = res.body.id;
    }
    expect((await app.req('GET', `/api/v1/cloud-credentials/${ids['AWS Production']}`, { token: app.admin.token })).body.credential_type).toBe('access_key');

    const list = await app.req('GET', '/api/v1/cloud-credentials', { token: app.admin.token });
    expect(list.body.map((c: any) => c.name).sort()).toEqual(inputs.map((i) => i.name).sort());
    const member = await app.factories.user({ role: 'member' });
    const seen = [list.text, (await app.req('GET', '/api/v1/cloud-credentials', { token: member.token })).text];
    for (const text of seen) expect(leakedMarkers(text, [...SECRETS, 'PRIVATE KEY'])).toEqual([]);

    const dump = await dumpSchema(app.reuse.schema!);
    expect(dump).toContain('AWS Production'); // positive control: the rows are in the dump
    expect(leakedMarkers(dump, [...SECRETS, AWS.access_key_id, GCP.private_key.split('\n')[5]!])).toEqual([]);
    expect(leakedMarkers(app.logs.text(), SECRETS)).toEqual([]);
  });

  it('validates each provider against its identity endpoint and records the answer', async () => {
    const expected: Record<string, string | null> = {
      'AWS Production': 'arn:aws:iam::123456789012:user/ci',
      'AWS deploy role': 'arn:aws:sts::123456789012:assumed-role/deploy/atlantas-validate',
      'GCP prod': GCP.client_email, 'Azure prod': AZURE.client_id, Hetzner: null, DigitalOcean: 'ops@acme.example',
    };
    for (const [name, identity] of Object.entries(expected)) {
      const res = await app.req('POST', `/api/v1/cloud-credentials/${ids[name]}/validate`, { token: app.admin.token });
      expect(res.status, res.text).toBe(200);
      expect(res.body, name).toMatchObject({ valid: true, identity, credential: { last_validation: { valid: true, identity } } });
      expect(res.body.credential.last_validated_at).toEqual(expect.any(String));
      expect(leakedMarkers(res.text, SECRETS)).toEqual([]);
    }
    expect(clouds.aws.calls).toEqual(['GetCallerIdentity', 'AssumeRole', 'GetCallerIdentity']);
  });

  it('reports a refused credential as invalid: a bad SigV4 signature, a wrong token, a wrong client secret, a key that does not sign', async () => {
    const cases = [
      { name: 'forged', provider: 'aws', credentials_json: { access_key_id: AWS.access_key_id, secret_access_key: 'not-the-secret-at-all' }, message: /SignatureDoesNotMatch/ },
      { name: 'unknown key', provider: 'aws', credentials_json: { access_key_id: 'AKIAUNKNOWNKEY000000', secret_access_key: 'whatever-secret-1' }, message: /InvalidClientTokenId/ },
      { name: 'no role', provider: 'aws', credential_type: 'assume_role', credentials_json: { ...AWS, role_arn: ROLE_ARN }, message: /AccessDenied/ },
      { name: 'other gcp key', provider: 'gcp', credentials_json: { ...GCP, private_key: generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey }, message: /invalid_grant/ },
      { name: 'wrong azure', provider: 'azure', credentials_json: { ...AZURE, client_secret: 'wrong-secret-value' }, message: /invalid_client: AADSTS7000215/ },
      { name: 'wrong hetzner', provider: 'hetzner', credentials_json: { token: 'hcloud-wrong-token-0000' }, message: /unable to authenticate/ },
      { name: 'wrong do', provider: 'digitalocean', credentials_json: { token: 'dop_v1_wrongwrongwrong' }, message: /Unable to authenticate you/ },
    ];
    for (const { message: _expected, ...c } of cases) {
      const created = await post(c);
      expect(created.status, created.text).toBe(201);
      const res = await app.req('POST', `/api/v1/cloud-credentials/${created.body.id}/validate`, { token: app.admin.token });
      expect(res.status, res.text).toBe(200);
      expect(res.body, c.name).toMatchObject({ valid: false, identity: null, message: expect.stringMatching(_expected), credential: { last_validation: { valid: false } } });
      await app.req('DELETE', `/api/v1/cloud-credentials/${created.body.id}`, { token: app.admin.token });
    }
  });

  it('renames and rotates: new secrets replace the old whole, change the fingerprint and clear the last validation', async () => {
    const id = ids.Hetzner!;
    const before = (await app.req('GET', `/api/v1/cloud-credentials/${id}`, { token: app.admin.token })).body;
    expect(before.last_validation).not.toBeNull();
    const renamed = await app.req('PATCH', `/api/v1/cloud-credentials/${id}`, { token: app.admin.token, body: { name: 'Hetzner EU' } });
    expect(renamed.body).toMatchObject({ name: 'Hetzner EU', fingerprint: before.fingerprint, last_validation: before.last_validation });
    const rotatedToken = `hcloud-rotated-${tag}-${'y'.repeat(20)}`;
    const rotated = await app.req('PATCH', `/api/v1/cloud-credentials/${id}`, { token: app.admin.token, body: { credentials_json: { token: rotatedToken } } });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.fingerprint).not.toBe(before.fingerprint);
    expect(rotated.body).toMatchObject({ last_validated_at: null, last_validation: null });
    expect((await app.req('POST', `/api/v1/cloud-credentials/${id}/validate`, { token: app.admin.token })).body.valid).toBe(false);
    clouds.hetzner.tokens.add(rotatedToken);
    expect((await app.req('POST', `/api/v1/cloud-credentials/${id}/validate`, { token: app.admin.token })).body.valid).toBe(true);
    expect(leakedMarkers(await dumpSchema(app.reuse.schema!), [rotatedToken])).toEqual([]);
    const audit = await app.req('GET', `/api/v1/audit?target_id=${id}`, { token: app.admin.token });
    expect(audit.body.map((a: any) => a.action)).toEqual(expect.arrayContaining(['cloud_credential.create', 'cloud_credential.update', 'cloud_credential.rotate', 'cloud_credential.validate']));
    expect(leakedMarkers(audit.text, [rotatedToken, HETZNER])).toEqual([]);
  });

  it('refuses bad input naming the field, members\' writes, and other tenants\' credentials', async () => {
    const bad = await post({ name: 'x', provider: 'aws', credentials_json: { access_key_id: 'AKIA0000000000000000' } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/credentials_json\.secret_access_key/);
    const badType = await post({ name: 'y', provider: 'hetzner', credential_type: 'access_key', credentials_json: { token: 'x'.repeat(20) } });
    expect(badType.body.detail).toMatch(/credential_type: hetzner credentials are of type token/);
    expect((await post({ name: 'z', provider: 'oracle', credentials_json: {} })).body.detail).toMatch(/provider: must be one of aws, gcp, azure, hetzner, digitalocean/);

    const member = await app.factories.user({ role: 'member' });
    expect((await post({ name: 'mine', provider: 'hetzner', credentials_json: { token: 'x'.repeat(20) } }, member.token)).status).toBe(403);
    expect((await app.req('POST', `/api/v1/cloud-credentials/${ids.DigitalOcean}/validate`, { token: member.token })).status).toBe(403);
    // a member may not decide which project gets a credential
    const project = await app.req('POST', '/api/v1/projects', { token: member.token, body: { name: `p-${tag.toLowerCase()}`, cloud_credential_id: ids.DigitalOcean } });
    expect(project.status).toBe(403);

    const other = await app.factories.tenant();
    for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/validate']] as const) {
      const res = await app.req(method, `/api/v1/cloud-credentials/${ids.DigitalOcean}${path}`, { token: other.adminToken, body: method === 'PATCH' ? { name: 'stolen' } : undefined });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await app.req('GET', '/api/v1/cloud-credentials', { token: other.adminToken })).body).toEqual([]);
    const foreign = await app.req('POST', '/api/v1/projects', { token: other.adminToken, body: { name: 'thief', cloud_credential_id: ids.DigitalOcean } });
    expect(foreign.status).toBe(404);
    const env = await app.req('POST', '/api/v1/environments', { token: other.adminToken, body: { name: 'thief', cloud_provider: 'digitalocean', cloud_credential_id: ids.DigitalOcean } });
    expect(env.status).toBe(404);
  });

  it('gives an environment only a credential of its own cloud, on create and on update', async () => {
    const wrong = await app.req('POST', '/api/v1/environments', { token: app.admin.token, body: { name: 'aws-prod', cloud_provider: 'aws', cloud_credential_id: ids.DigitalOcean } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: 'cloud_credential_provider_mismatch', detail: expect.stringMatching(/is for digitalocean, but environment aws-prod runs on aws: choose a aws credential or change cloud_provider/) });
    expect((await app.sql("SELECT id FROM environments WHERE name = 'aws-prod'"))).toEqual([]);
    const env = await app.req('POST', '/api/v1/environments', { token: app.admin.token, body: { name: 'do-stage', cloud_provider: 'digitalocean', cloud_credential_id: ids.DigitalOcean } });
    expect(env.status, env.text).toBe(201);
    const moved = await app.req('PATCH', `/api/v1/environments/${env.body.id}`, { token: app.admin.token, body: { cloud_provider: 'gcp' } });
    expect(moved.status).toBe(400); // the credential it keeps would no longer fit
    expect(moved.body.code).toBe('cloud_credential_provider_mismatch');
    expect((await app.req('GET', `/api/v1/environments/${env.body.id}`, { token: app.admin.token })).body.cloud_provider).toBe('digitalocean');
    expect((await app.req('PATCH', `/api/v1/environments/${env.body.id}`, { token: app.admin.token, body: { cloud_provider: 'gcp', cloud_credential_id: null } })).status).toBe(200);
    expect((await app.req('DELETE', `/api/v1/environments/${env.body.id}`, { token: app.admin.token })).status).toBe(204);
  });

  it('refuses to delete a credential a project or environment uses', async () => {
    const env = await app.req('POST', '/api/v1/environments', { token: app.admin.token, body: { name: 'do-prod', cloud_provider: 'digitalocean', cloud_credential_id: ids.DigitalOcean } });
    expect(env.status, env.text).toBe(201);
    expect(env.body.cloud_credential_id).toBe(ids.DigitalOcean);
    const refused = await app.req('DELETE', `/api/v1/cloud-credentials/${ids.DigitalOcean}`, { token: app.admin.token });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'cloud_credential_in_use', detail: expect.stringContaining('environment do-prod') });
    expect((await app.req('PATCH', `/api/v1/environments/${env.body.id}`, { token: app.admin.token, body: { cloud_credential_id: null } })).status).toBe(200);
    expect((await app.req('DELETE', `/api/v1/cloud-credentials/${ids.DigitalOcean}`, { token: app.admin.token })).status).toBe(204);
    expect((await app.req('GET', `/api/v1/cloud-credentials/${ids.DigitalOcean}`, { token: app.admin.token })).status).toBe(404);
  });
});
