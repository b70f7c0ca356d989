import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Encryptor } from '../../../src/core/secrets/encryption.js';
import { startFakeGitHub, type FakeGitHub } from '../../harness/fake-github.js';
import { createBareRepo, type BareRepo } from '../../harness/git-repo.js';
import { eventually, pullRequestEvent, sendWebhook } from '../../harness/github-webhooks.js';
import { request } from '../../harness/http.js';
import { waitForRun } from '../../harness/runs.js';
import { dumpSchema, leakedMarkers } from '../../harness/pg-dump.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';
import { atlantisYaml, tfData } from '../../harness/tf-files.js';

/**
 * Tenant B brings its own GitHub App (issue 14): registered against the fake GitHub (the App JWT
 * and the installation token both checked there), its signed webhooks autoplan in B with a clone
 * authenticated by B's installation token (git's smart HTTP on the fake, real git and terraform),
 * its repositories are B's alone, and the key and secret are never shown or stored in clear.
 */
const SERVER_SECRET = 'server-wide-webhook-secret';
const B_SECRET = `b-webhook-${randomBytes(8).toString('hex')}`;
const APP_ID = 4242;
const INSTALLATION = 777;
const INFRA = 'beta-org/infra';
const PLATFORM = 'beta-org/platform';

function rsaKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { pem: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, publicKey };
}

describe('GitHub Apps per tenant: registration, webhooks routed by installation, repositories owned by tenants', () => {
  let app: TestApp;
  let gh: FakeGitHub;
  let infra: BareRepo;
  let platform: BareRepo;
  const key = rsaKey();
  let tenantB: { id: string; slug: string; adminToken: string };
  let appRowId: string;
  /** every response body the tests saw, to check that no key or secret ever came back */
  const seen: string[] = [];
  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await app.req(method, path, { token, body });
    seen.push(res.text);
    return res;
  };
  const withInstallation = (payload: Record<string, any>, id: number) => ({ ...payload, installation: { id, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' } });
  const botComments = (repo: string, pr: number) => gh.comments(repo, pr).filter((c) => c.user === 'atlantas[bot]').map((c) => c.body);

  beforeAll(async () => {
    gh = await startFakeGitHub();
    infra = await createBareRepo({ owner: 'beta-org', name: 'infra' });
    await infra.commitFiles({ 'network/main.tf': tfData(2), 'app/main.tf': tfData(1), 'modules/vpc/main.tf': tfData(1), 'README.md': '# infra\n' }, 'base');
    platform = await createBareRepo({ owner: 'beta-org', name: 'platform' });
    await platform.commitFiles({ 'atlantis.yaml': atlantisYaml([{ name: 'core', dir: 'stacks/core', workspace: 'prod' }]), 'stacks/core/main.tf': tfData(1), 'stacks/extra/main.tf': tfData(1) }, 'base');
    gh.addRepo(INFRA, { gitDir: infra.path });
    gh.addRepo(PLATFORM, { gitDir: platform.path });
    gh.addRepo('acme/other');
    gh.registerApp({ appId: APP_ID, publicKey: key.publicKey });
    gh.setInstallation(INFRA, INSTALLATION, APP_ID);
    gh.setInstallation(PLATFORM, INSTALLATION, APP_ID);
    // The server-wide credentials (a PAT) serve the default tenant; clones go to the fake's git HTTP, no insteadOf.
    app = await startTestApp({ env: { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_GH_WEBHOOK_SECRET: SERVER_SECRET } });
    tenantB = await app.factories.tenant('beta');
  });
  afterAll(async () => {
    await app?.close();
    await gh?.close();
    await infra?.cleanup();
    await platform?.cleanup();
  });

  it('refuses a registration GitHub does not accept, naming what to fix, and a malformed key before calling GitHub', async () => {
    const body = { name: 'Beta', app_id: String(APP_ID), installation_id: String(INSTALLATION), account_login: 'beta-org', private_key: rsaKey().pem, webhook_secret: B_SECRET };
    const wrongKey = await api('POST', '/api/v1/github/apps', tenantB.adminToken, body);
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.body).toMatchObject({ code: 'github_app.invalid_credentials' });
    expect(wrongKey.body.detail).toContain('private_key');

    const calls = gh.calls.length;
    const badPem = await api('POST', '/api/v1/github/apps', tenantB.adminToken, { ...body, private_key: '-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----' });
    expect(badPem.status).toBe(400);
    expect(badPem.body).toMatchObject({ code: 'validation_error', errors: [expect.objectContaining({ path: 'private_key' })] });
    expect(gh.calls.length).toBe(calls);

    const member = await app.factories.user({ tenantId: tenantB.id, role: 'member' });
    expect((await api('POST', '/api/v1/github/apps', member.token, { ...body, private_key: key.pem })).status).toBe(403);
    expect(await app.sql('SELECT id FROM github_apps')).toEqual([]);
  });

  it('registers B\'s App: the fake checks the App JWT and then the installation token; the answer never holds the key or the secret', async () => {
    const before = gh.calls.length;
    const res = await api('POST', '/api/v1/github/apps', tenantB.adminToken, {
      name: 'Beta org', app_id: String(APP_ID), installation_id: String(INSTALLATION), account_login: 'beta-org', private_key: key.pem, webhook_secret: B_SECRET,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Beta org', app_id: '4242', installation_id: '777', account_login: 'beta-org', has_webhook_secret: true });
    expect(res.body).not.toHaveProperty('private_key');
    expect(res.body).not.toHaveProperty('webhook_secret');
    appRowId = res.body.id;

    const made = gh.calls.slice(before);
    const minted = made.find((c) => c.method === 'POST' && c.path === `/app/installations/${INSTALLATION}/access_tokens`);
    expect(minted).toMatchObject({ status: 201 });
    expect(String(minted!.headers.authorization)).toMatch(/^bearer ey/i); // the App JWT (RS256, iss = app id), verified by the fake
    const listed = made.find((c) => c.path === '/installation/repositories');
    expect(listed).toMatchObject({ status: 200 });
    expect(String(listed!.headers.authorization)).toMatch(/^token ghs_/); // the installation token the fake minted

    const again = await api('POST', '/api/v1/github/apps', (await app.factories.tenant()).adminToken, {
      name: 'Thief', app_id: String(APP_ID), installation_id: String(INSTALLATION), account_login: 'beta-org', private_key: key.pem,
    });
    expect(again.status).toBe(409);
    const list = await api('GET', '/api/v1/github/apps', tenantB.adminToken);
    expect(list.body.map((a: any) => a.id)).toEqual([appRowId]);
    expect((await api('GET', '/api/v1/github/apps', app.admin.token)).body).toEqual([]);
  });

  it('browses the installation: repos, branches, the tree at the default branch or a ref, and the root modules autoplan would find', async () => {
    await infra.commitFiles({ 'feature/main.tf': tfData(1) }, 'a branch', { branch: 'feature-x' });
    const base = `/api/v1/github/apps/${appRowId}`;
    const repos = await api('GET', `${base}/repos`, tenantB.adminToken);
    expect(repos.status).toBe(200);
    expect(repos.body.map((r: any) => r.full_name)).toEqual([INFRA, PLATFORM]);
    expect(repos.body[0]).toMatchObject({ owner: 'beta-org', name: 'infra', default_branch: 'main' });

    const branches = await api('GET', `${base}/repos/${INFRA}/branches`, tenantB.adminToken);
    expect(branches.body.map((b: any) => b.name).sort()).toEqual(['feature-x', 'main']);
    expect(branches.body.find((b: any) => b.name === 'main').sha).toBe((await infra.git('rev-parse', 'main')).trim());

    const tree = await api('GET', `${base}/repos/${INFRA}/tree`, tenantB.adminToken);
    expect(tree.body).toMatchObject({ repository: INFRA, ref: 'main', truncated: false });
    expect(tree.body.tree.filter((e: any) => e.type === 'blob').map((e: any) => e.path).sort()).toEqual(['README.md', 'app/main.tf', 'modules/vpc/main.tf', 'network/main.tf']);
    const onBranch = await api('GET', `${base}/repos/${INFRA}/tree?ref=feature-x`, tenantB.adminToken);
    expect(onBranch.body.tree.map((e: any) => e.path)).toContain('feature/main.tf');

    const discovered = await api('GET', `${base}/repos/${INFRA}/terraform-workspaces`, tenantB.adminToken);
    expect(discovered.body).toMatchObject({ repository: INFRA, ref: 'main', config_file: null });
    expect(discovered.body.workspaces).toEqual([
      { dir: 'app', workspace: 'default', name: null, source: 'discovered' },
      { dir: 'network', workspace: 'default', name: null, source: 'discovered' },
    ]);
    const configured = await api('GET', `${base}/repos/${PLATFORM}/terraform-workspaces`, tenantB.adminToken);
    expect(configured.body).toMatchObject({ config_file: 'atlantis.yaml', workspaces: [{ dir: 'stacks/core', workspace: 'prod', name: 'core', source: 'atlantis.yaml' }] });

    // Another tenant does not see B's registration at all; a repository outside the installation is not browsed.
    expect((await api('GET', `${base}/repos`, app.admin.token)).status).toBe(404);
    expect((await api('GET', `${base}/repos/acme/other/branches`, tenantB.adminToken)).status).toBe(404);
  });

  it('a signed webhook of B\'s installation autoplans in B, cloned with B\'s installation token, answered as B\'s App', async () => {
    const sha = await infra.commitFiles({ 'network/main.tf': tfData(2, 'v2') }, 'PR 1', { branch: 'feature-1' });
    await infra.setRef('refs/pull/1/head', sha);
    gh.setPullRequest(INFRA, { number: 1, headSha: sha, headRef: 'feature-1', baseRef: 'main' });
    gh.setChangedFiles(INFRA, 1, ['network/main.tf']);
    const gitBefore = gh.gitAccesses.length;

    const res = await sendWebhook(app.url, 'pull_request', withInstallation(pullRequestEvent('opened', INFRA, 1, sha), INSTALLATION), { secret: B_SECRET });
    expect(res.status).toBe(202);
    const [comment] = (await eventually(() => (botComments(INFRA, 1).length ? botComments(INFRA, 1) : null), 'the plan comment'))!;
    await app.githubIdle();
    expect(comment).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    const runs = await app.sql<{ tenant_id: string; status: string }>('SELECT tenant_id, status FROM runs WHERE repo_full_name = :repo', { repo: INFRA });
    expect(runs).toEqual([{ tenant_id: tenantB.id, status: 'planned' }]);
    const clones = gh.gitAccesses.slice(gitBefore).filter((a) => a.repo === INFRA);
    expect(clones.length).toBeGreaterThan(0);
    expect(new Set(clones.map((a) => a.as))).toEqual(new Set([`installation:${INSTALLATION}`]));
    expect(gh.statuses(INFRA, sha).map((s) => s.creator)).toContain('atlantas[bot]');

    // One installation token, minted at registration, served every call since (cached until shortly before it expires); never logged.
    expect(gh.callsTo('POST', `/app/installations/${INSTALLATION}/access_tokens`).filter((c) => c.status === 201)).toHaveLength(1);
    expect(app.logs.text()).not.toMatch(/ghs_[A-Za-z0-9_-]{20,}/);
  });

  it('no other tenant runs B\'s repository: not the default tenant with the server-wide credentials, not one whose allowlist names it, not a forged delivery', async () => {
    const fromDefault = await api('POST', '/api/v1/runs', app.admin.token, { repo: INFRA, dir: 'network' });
    expect(fromDefault.status).toBe(403);
    expect(fromDefault.body).toMatchObject({ code: 'repo_not_allowed' });

    const other = await app.factories.tenant('gamma');
    expect((await api('PATCH', `/api/v1/tenants/${other.id}`, app.admin.token, { repo_allowlist: ['beta-org/*'] })).status).toBe(200);
    const fromAllowlist = await api('POST', '/api/v1/runs', other.adminToken, { repo: INFRA, dir: 'network' });
    expect(fromAllowlist.status).toBe(403);
    expect(fromAllowlist.body.detail).toBe(fromDefault.body.detail.replace('tenant default', 'tenant gamma')); // the same words: B's ownership does not leak

    // The server-wide webhook (signed with its secret) acts in the default tenant: which may not run B's repository.
    const sha = (await infra.git('rev-parse', 'refs/pull/1/head')).trim();
    const viaServer = await sendWebhook(app.url, 'pull_request', pullRequestEvent('opened', INFRA, 1, sha), { secret: SERVER_SECRET });
    expect(viaServer.status).toBe(202);
    // B's admin knows B's secret: a delivery claiming a repository outside B's installation runs nothing in B.
    gh.setPullRequest('acme/other', { number: 3 });
    const forged = await sendWebhook(app.url, 'pull_request', withInstallation(pullRequestEvent('opened', 'acme/other', 3, 'a'.repeat(40)), INSTALLATION), { secret: B_SECRET });
    expect(forged.status).toBe(202);
    await app.githubIdle();
    const runs = await app.sql<{ tenant_id: string; repo_full_name: string }>('SELECT tenant_id, repo_full_name FROM runs');
    expect(runs).toEqual([{ tenant_id: tenantB.id, repo_full_name: INFRA }]);
  });

  it('refuses a delivery of an installation nobody registered, before any tenant is touched', async () => {
    const delivery = randomUUID();
    const payload = withInstallation(pullRequestEvent('opened', INFRA, 1, 'b'.repeat(40)), 999_999);
    const res = await sendWebhook(app.url, 'pull_request', payload, { secret: B_SECRET, delivery });
    expect(res.status).toBe(401); // neither a registration's secret nor the server-wide one signs it
    const body = JSON.stringify(payload);
    const perApp = await request(app.url, 'POST', `/events/${APP_ID}`, {
      rawBody: body, headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': delivery, 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) },
    });
    expect(perApp.status).toBe(404);
    expect(perApp.body).toMatchObject({ code: 'github.unknown_installation' });
    // B's own installation on B's per-App URL, with a wrong signature: 401.
    const wrongSig = await sendWebhook(app.url, 'pull_request', withInstallation(pullRequestEvent('opened', INFRA, 1, 'b'.repeat(40)), INSTALLATION), { secret: 'not-b-secret' });
    expect(wrongSig.status).toBe(401);
    await app.githubIdle();
    expect(await app.sql('SELECT id FROM webhook_deliveries WHERE id = :delivery', { delivery })).toEqual([]);
    expect((await app.sql('SELECT count(*)::int AS n FROM runs'))[0].n).toBe(1);
  });

  it('learns of a repository added to the installation from its signed installation_repositories event; B runs it over REST', async () => {
    const added = await createBareRepo({ owner: 'beta-org', name: 'added' });
    try {
      await added.commitFiles({ 'main.tf': tfData(1) }, 'base');
      gh.addRepo('beta-org/added', { gitDir: added.path });
      gh.setInstallation('beta-org/added', INSTALLATION, APP_ID);
      const beforeOwned = await api('POST', '/api/v1/runs', app.admin.token, { repo: 'beta-org/added', dir: '.' });
      expect(beforeOwned.status).toBe(201); // nobody owns it yet: the default tenant may (cloned with the server-wide PAT)
      await waitForRun(app, beforeOwned.body.id);

      const event = { action: 'added', installation: { id: INSTALLATION }, repositories_added: [{ full_name: 'beta-org/added' }], repositories_removed: [], sender: { login: 'beta-admin' } };
      expect((await sendWebhook(app.url, 'installation_repositories', event, { secret: B_SECRET })).status).toBe(202);
      await eventually(async () => (await app.sql("SELECT 1 FROM github_app_repos WHERE full_name_lower = 'beta-org/added'")).length > 0, 'the new repository listed');
      expect((await api('POST', '/api/v1/runs', app.admin.token, { repo: 'beta-org/added', dir: '.' })).status).toBe(403);

      const gitBefore = gh.gitAccesses.length;
      const run = await api('POST', '/api/v1/runs', tenantB.adminToken, { repo: 'beta-org/added', dir: '.' });
      expect(run.status).toBe(201);
      expect(await waitForRun(app, run.body.id, undefined, 90_000, tenantB.adminToken)).toMatchObject({ status: 'planned_and_finished' });
      expect(await app.sql('SELECT tenant_id FROM runs WHERE id = :id', { id: run.body.id })).toEqual([{ tenant_id: tenantB.id }]);
      expect(new Set(gh.gitAccesses.slice(gitBefore).map((a) => a.as))).toEqual(new Set([`installation:${INSTALLATION}`]));
    } finally {
      await added.cleanup();
    }
  });

  it('stores the key and the secret only sealed, re-seals them on key rotation, and never returns them', async () => {
    const pemLine = key.pem.split('\n')[5];
    const dump = await dumpSchema(app.reuse.schema!);
    expect(dump).toContain('github_apps');
    expect(leakedMarkers(dump, [pemLine, B_SECRET])).toEqual([]);
    for (const text of seen) {
      expect(text).not.toContain(pemLine);
      expect(text).not.toContain(B_SECRET);
    }
    expect(app.logs.text()).not.toContain(pemLine);

    const rotation = app.internals.rotation.list().find((r) => r.name === 'github app keys')!;
    const next = new Encryptor(randomBytes(32), Buffer.from(app.reuse.encryptionKey, 'base64'));
    expect(await rotation.rotate(next, app.logs.log)).toBe(1);
    const [row] = await app.sql<{ private_key_key_id: string; webhook_secret_key_id: string }>('SELECT private_key_key_id, webhook_secret_key_id FROM github_apps');
    expect(row).toEqual({ private_key_key_id: next.currentKeyId, webhook_secret_key_id: next.currentKeyId });
    expect(await rotation.rotate(next, app.logs.log)).toBe(0);
  });
});
