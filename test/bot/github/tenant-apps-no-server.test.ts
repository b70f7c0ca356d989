import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../../harness/fake-github.js';
import { createBareRepo, type BareRepo } from '../../harness/git-repo.js';
import { eventually, prCommentEvent, pullRequestEvent, sendWebhook } from '../../harness/github-webhooks.js';
import { keyIdOf } from '../../../src/core/secrets/encryption.js';
import { rotateKeyCli } from '../../harness/spawn-server.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';
import { tfData } from '../../harness/tf-files.js';

/**
 * A server with no ATLANTAS_GH_* at all: GitHub is only what tenants bring. A tenant's App
 * still receives, plans and answers; a delivery no registration claims is refused; removing the
 * registration takes the repository (and its webhooks) away from the tenant.
 */
const SECRET = `c-secret-${randomBytes(6).toString('hex')}`;
const REPO = 'crest/infra';
const INSTALLATION = 31337;
const APP_ID = 99;

describe('tenant GitHub Apps on a server without server-wide GitHub credentials', () => {
  let app: TestApp;
  let gh: FakeGitHub;
  let repo: BareRepo;
  let tenant: { id: string; adminToken: string };
  let appRowId: string;
  const botComments = (pr: number) => gh.comments(REPO, pr).filter((c) => c.user === 'crest-app[bot]').map((c) => c.body);
  const signed = (payload: Record<string, any>) => ({ ...payload, installation: { id: INSTALLATION } });

  beforeAll(async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    gh = await startFakeGitHub();
    repo = await createBareRepo({ owner: 'crest', name: 'infra' });
    await repo.commitFiles({ 'main.tf': tfData(1) }, 'base');
    gh.addRepo(REPO, { gitDir: repo.path });
    gh.registerApp({ appId: APP_ID, publicKey, slug: 'crest-app' });
    gh.setInstallation(REPO, INSTALLATION, APP_ID);
    gh.setPermission(REPO, 'carol', 'write');
    app = await startTestApp({ env: { ATLANTAS_GH_API_URL: gh.url } });
    tenant = await app.factories.tenant('crest');
    const res = await app.req('POST', '/api/v1/github/apps', {
      token: tenant.adminToken,
      body: { name: 'Crest', app_id: APP_ID, installation_id: INSTALLATION, account_login: 'crest', private_key: privateKey.export({ type: 'pkcs1', format: 'pem' }), webhook_secret: SECRET },
    });
    expect(res.status).toBe(201);
    appRowId = res.body.id;
  });
  afterAll(async () => {
    await app?.close();
    await gh?.close();
    await repo?.cleanup();
  });

  it('plans on a comment of the tenant\'s installation (per-App URL), answering as the tenant\'s App', async () => {
    const sha = await repo.commitFiles({ 'main.tf': tfData(1, 'v2') }, 'PR 4', { branch: 'feature-4' });
    await repo.setRef('refs/pull/4/head', sha);
    gh.setPullRequest(REPO, { number: 4, headSha: sha, headRef: 'feature-4' });
    gh.setChangedFiles(REPO, 4, ['main.tf']);
    const id = gh.addUserComment(REPO, 4, { body: 'atlantis plan', user: 'carol' });
    const wrongApp = await sendWebhook(app.url, 'issue_comment', signed(prCommentEvent(REPO, 4, 'atlantis plan', 'carol', id)), { secret: SECRET, path: `/events/${APP_ID + 1}` });
    expect(wrongApp.status).toBe(404); // the installation is not of that App
    const res = await sendWebhook(app.url, 'issue_comment', signed(prCommentEvent(REPO, 4, 'atlantis plan', 'carol', id)), { secret: SECRET, path: `/events/${APP_ID}` });
    expect(res.status).toBe(202);
    const [answer] = (await eventually(() => (botComments(4).length ? botComments(4) : null), 'the plan comment'))!;
    expect(answer).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(gh.reactions(id).map((r) => [r.user, r.content])).toContainEqual(['crest-app[bot]', 'eyes']);
    expect(await app.sql('SELECT DISTINCT tenant_id FROM runs')).toEqual([{ tenant_id: tenant.id }]);
  });

  it('atlantas rotate-key re-seals the key and the secret; with only the new key the App still signs and verifies', async () => {
    const { schema, dataDir, encryptionKey: oldKey } = app.reuse;
    await app.close({ keepData: true });
    const key = randomBytes(32).toString('base64');
    const rotated = await rotateKeyCli(schema!, oldKey, key);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('github app keys: 1 re-encrypted');
    app = await startTestApp({ env: { ATLANTAS_GH_API_URL: gh.url }, reuse: { schema, dataDir, encryptionKey: key } });
    const [row] = await app.sql('SELECT private_key_key_id, webhook_secret_key_id FROM github_apps');
    expect(row).toEqual({ private_key_key_id: keyIdOf(Buffer.from(key, 'base64')), webhook_secret_key_id: keyIdOf(Buffer.from(key, 'base64')) });
    const repos = await app.req('GET', `/api/v1/github/apps/${appRowId}/repos`, { token: tenant.adminToken });
    expect(repos.status).toBe(200); // a new process: a new installation token, from a JWT signed with the re-sealed key
    expect(repos.body.map((r: any) => r.full_name)).toEqual([REPO]);
    const ping = await sendWebhook(app.url, 'ping', { zen: 'Keep it logically awesome.', hook_id: 1, installation: { id: INSTALLATION } }, { secret: SECRET });
    expect(ping.status).toBe(202);
  });

  it('refuses deliveries nobody registered (404), and after the registration is deleted, the tenant\'s own', async () => {
    const unknown = await sendWebhook(app.url, 'pull_request', { ...pullRequestEvent('opened', REPO, 4, 'c'.repeat(40)), installation: { id: 1 } }, { secret: SECRET });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'github.unknown_installation' });
    const none = await sendWebhook(app.url, 'pull_request', pullRequestEvent('opened', REPO, 4, 'c'.repeat(40)), { secret: SECRET });
    expect(none.status).toBe(404);

    expect((await app.req('DELETE', `/api/v1/github/apps/${appRowId}`, { token: tenant.adminToken })).status).toBe(204);
    const after = await sendWebhook(app.url, 'pull_request', signed(pullRequestEvent('opened', REPO, 4, 'c'.repeat(40))), { secret: SECRET });
    expect(after.status).toBe(404);
    const run = await app.req('POST', '/api/v1/runs', { token: tenant.adminToken, body: { repo: REPO, dir: '.' } });
    expect(run.status).toBe(403);
    expect(await app.sql('SELECT 1 FROM github_app_repos')).toEqual([]);
    const audit = await app.sql<{ action: string }>("SELECT action FROM audit_log WHERE action LIKE 'github_app.%' ORDER BY created_at");
    expect(audit.map((a) => a.action)).toEqual(['github_app.create', 'github_app.delete']);
  });
});
