import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { splitRepo } from '../../../src/bot/github/github-auth.js';
import { githubWebUrl } from '../../../src/core/ports/repo-source.js';

const deriveWebUrl = (apiUrl: string) => githubWebUrl({ apiUrl });
import { GitHubVcsHost } from '../../../src/bot/github/github-vcs-host.js';
import { loadConfig } from '../../../src/config.js';
import { ConfigError, InputError, NotFoundError, UnavailableError } from '../../../src/core/errors.js';
import { captureLogs, type CapturedLogs } from '../../harness/capture-logs.js';
import { startFakeGitHub, type FakeGitHub } from '../../harness/fake-github.js';

/** Authenticating to GitHub: App installation tokens against the fake, key loading, and where links point. */
const REPO = 'octo-org/infra';
let fake: FakeGitHub;
let logs: CapturedLogs;

beforeEach(async () => {
  fake = await startFakeGitHub();
  logs = captureLogs();
});
afterEach(() => fake?.close());

/** The error a call fails with; a call that succeeds fails the test. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => { throw new Error('expected the call to fail'); },
    (err: unknown) => err as Error,
  );
}

function hostFor(env: Record<string, string>): GitHubVcsHost {
  const host = GitHubVcsHost.fromConfig(loadConfig({ ATLANTAS_GH_API_URL: fake.url, ...env }).github, logs.log);
  if (!host) throw new Error('expected a configured host');
  return host;
}

describe('GitHubVcsHost with a GitHub App', () => {
  let keys: { publicKey: string; privateKey: string };
  beforeAll(() => {
    // GitHub hands out PKCS#1 keys.
    keys = generateKeyPairSync('rsa', {
      modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
  });
  beforeEach(() => {
    fake.registerApp({ appId: 4242, publicKey: keys.publicKey, slug: 'atlantas' });
    fake.setInstallation(REPO, 77);
    fake.setPullRequest(REPO, { number: 7, headSha: 'a'.repeat(40) });
  });

  it('looks up the installation, mints one token with a verified JWT, and reuses it', async () => {
    const host = hostFor({ ATLANTAS_GH_APP_ID: '4242', ATLANTAS_GH_APP_KEY: keys.privateKey });
    const { id } = await host.createComment(REPO, 7, 'Ran Plan');
    await host.addReaction(REPO, id, 'eyes');
    await host.setCommitStatus(REPO, 'a'.repeat(40), { state: 'success', context: 'atlantis/plan', description: '1 to add' });
    const creds = await host.cloneCredentials(REPO);

    expect(fake.comments(REPO, 7)[0].user).toBe('atlantas[bot]');
    expect(fake.callsTo('GET', `/repos/${REPO}/installation`)).toHaveLength(1);
    const mints = fake.callsTo('POST', '/app/installations/77/access_tokens');
    expect(mints).toHaveLength(1);
    expect(mints[0].status).toBe(201);
    expect(mints[0].headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(creds).toEqual({ username: 'x-access-token', password: expect.stringMatching(/^ghs_/) });
    for (const call of fake.calls.filter((c) => c.path.startsWith(`/repos/${REPO}/`) && !c.path.endsWith('/installation'))) {
      expect(call.headers.authorization).toBe(`token ${creds.password}`);
    }
  });

  it('uses a configured installation id without looking it up, and reads the key from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atlantas-gh-key-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'app.pem'), keys.privateKey);
    const host = hostFor({ ATLANTAS_GH_APP_ID: '4242', ATLANTAS_GH_APP_KEY_FILE: join(dir, 'app.pem'), ATLANTAS_GH_INSTALLATION_ID: '77' });
    expect(await host.getPermission(REPO, 'alice')).toBe('none');
    fake.setPermission(REPO, 'alice', 'write');
    expect(await host.getPermission(REPO, 'alice')).toBe('write');
    expect(fake.callsTo('GET', `/repos/${REPO}/installation`)).toEqual([]);
    expect(fake.callsTo('POST', '/app/installations/77/access_tokens')).toHaveLength(1);
  });

  it('mints a token per installation, and a repo without the App is NotFound', async () => {
    fake.setInstallation('other-org/infra', 88);
    fake.setPullRequest('other-org/infra', { number: 1 });
    fake.setPullRequest('octo-org/no-app', { number: 1 });
    const host = hostFor({ ATLANTAS_GH_APP_ID: '4242', ATLANTAS_GH_APP_KEY: keys.privateKey });
    await host.createComment(REPO, 7, 'one');
    await host.createComment('other-org/infra', 1, 'two');
    expect(fake.comments('other-org/infra', 1)).toHaveLength(1);
    expect(fake.callsTo('POST', /^\/app\/installations\/\d+\/access_tokens$/).map((c) => c.path)).toEqual([
      '/app/installations/77/access_tokens', '/app/installations/88/access_tokens',
    ]);
    await expect(host.createComment('octo-org/no-app', 1, 'three')).rejects.toThrow(NotFoundError);
  });

  it('reports a JWT signed with the wrong key as bad App credentials, without leaking the key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const host = hostFor({ ATLANTAS_GH_APP_ID: '4242', ATLANTAS_GH_APP_KEY: other.privateKey, ATLANTAS_GH_INSTALLATION_ID: '77' });
    const err = await rejection(host.createComment(REPO, 7, 'hi'));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/createComment on octo-org\/infra.*A JSON web token could not be decoded.*GitHub App credentials/);
    const keyBody = other.privateKey.split('\n')[1];
    expect(err.message).not.toContain(keyBody);
    expect(logs.text()).not.toContain(keyBody);
    expect(fake.callsTo('POST', '/app/installations/77/access_tokens')[0].status).toBe(401);
    expect(fake.comments(REPO, 7)).toEqual([]);
  });

  it('refuses an unreadable or non-PEM key at construction, naming the variable', () => {
    expect(() => hostFor({ ATLANTAS_GH_APP_ID: '4242', ATLANTAS_GH_APP_KEY_FILE: '/nonexistent/app.pem' })).toThrow(
      expect.objectContaining({ constructor: ConfigError, message: expect.stringContaining('ATLANTAS_GH_APP_KEY_FILE: cannot read') }));
    expect(() => hostFor({ ATLANTAS_GH_APP_ID: '4242', ATLANTAS_GH_APP_KEY: 'not-a-key' })).toThrow(/ATLANTAS_GH_APP_KEY: not a PEM private key/);
  });
});

describe('GitHubVcsHost links and configuration', () => {
  const linksFor = (env: Record<string, string>) => GitHubVcsHost.fromConfig(loadConfig({ ATLANTAS_GH_TOKEN: 'ghp_unused', ...env }).github, logs.log)!;

  it('derives clone and web URLs for github.com, GHES and an explicit web URL', () => {
    const dotcom = linksFor({});
    expect(dotcom.cloneUrl(REPO)).toBe('https://github.com/octo-org/infra.git');
    expect(dotcom.webUrl(REPO)).toBe('https://github.com/octo-org/infra');
    expect(dotcom.webUrl(REPO, 12)).toBe('https://github.com/octo-org/infra/pull/12');
    const ghes = linksFor({ ATLANTAS_GH_API_URL: 'https://ghe.example.com/api/v3' });
    expect(ghes.cloneUrl(REPO)).toBe('https://ghe.example.com/octo-org/infra.git');
    expect(ghes.webUrl(REPO, 3)).toBe('https://ghe.example.com/octo-org/infra/pull/3');
    const explicit = linksFor({ ATLANTAS_GH_API_URL: 'https://ghe.example.com/api/v3', ATLANTAS_GH_WEB_URL: 'https://code.example.com/' });
    expect(explicit.cloneUrl(REPO)).toBe('https://code.example.com/octo-org/infra.git');
  });

  it('is not configured without a token or an App', () => {
    expect(GitHubVcsHost.fromConfig(loadConfig({}).github, logs.log)).toBeUndefined();
  });
});

describe('GitHub web URLs and repository names', () => {
  it('derives the web host from the API URL', () => {
    expect(deriveWebUrl('https://api.github.com')).toBe('https://github.com');
    expect(deriveWebUrl('https://ghe.example.com/api/v3')).toBe('https://ghe.example.com');
    expect(deriveWebUrl('https://ghe.example.com/api/v3/')).toBe('https://ghe.example.com');
    expect(deriveWebUrl('https://api.octocorp.ghe.com')).toBe('https://octocorp.ghe.com');
    expect(deriveWebUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
  });

  it('accepts owner/repo and refuses anything else with what to fix', () => {
    expect(splitRepo('octo-org/infra.live')).toEqual({ owner: 'octo-org', repo: 'infra.live' });
    for (const bad of ['infra', 'a/b/c', '../x', 'octo-org/..', ' octo/x', 'octo/x?y']) {
      expect(() => splitRepo(bad)).toThrow(InputError);
    }
    expect(() => splitRepo('infra')).toThrow('"infra" is not a GitHub repository name; expected owner/repo');
  });
});
