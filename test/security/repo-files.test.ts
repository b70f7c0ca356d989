import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../harness/fake-github.js';
import { createBareRepo, insteadOfEnv, type BareRepo, type FileContent } from '../harness/git-repo.js';
import { eventually, prCommentEvent, sendWebhook } from '../harness/github-webhooks.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

/**
 * Repository files are data, never echoed. A pull request can commit anything: `atlantis.yaml`
 * as a link to the server's own /proc/self/environ, or a secret in a field of the wrong type. The
 * answer, by PR comment and by REST, names the file (and line) and what is wrong with it, and
 * holds nothing of what the server read or found.
 */
const SECRET = 'webhook-secret';
const REPO = 'acme/infra';
const CANARY_NAME = 'ATLANTAS_TEST_REPO_FILES_CANARY';
const CANARY = `canary-${process.pid}-7c1f0e9d2b`;
const PLANTED = 'pl4nted-s3cret-d0-not-echo-5e8a1b';

/** The values of this process's environment as the kernel shows it (what the link would read). */
function environValues(): string[] {
  const entries = readFileSync('/proc/self/environ', 'utf8').split('\0');
  return entries.map((e) => e.slice(e.indexOf('=') + 1)).filter((v) => v.length >= 12);
}

describe('repository files are data: a symlinked or hostile atlantis.yaml is refused without echoing it', () => {
  let app: TestApp;
  let repo: BareRepo;
  let gh: FakeGitHub;
  const comments = (pr: number) => gh.comments(REPO, pr).filter((c) => c.user === 'atlantas-bot').map((c) => c.body);
  const comment = (pr: number, body: string) =>
    sendWebhook(app.url, 'issue_comment', prCommentEvent(REPO, pr, body, 'alice', gh.addUserComment(REPO, pr, { body, user: 'alice' })), { secret: SECRET });

  async function openPr(number: number, files: Record<string, FileContent>): Promise<void> {
    const sha = await repo.commitFiles(files, `PR ${number}`, { branch: `feature-${number}` });
    await repo.setRef(`refs/pull/${number}/head`, sha);
    gh.setPullRequest(REPO, { number, headSha: sha, headRef: `feature-${number}`, baseRef: 'main', mergeable: true, mergeableState: 'clean' });
    gh.setChangedFiles(REPO, number, Object.keys(files));
  }

  /** Posts `atlantis plan` and returns the bot's answer. */
  async function planComment(pr: number): Promise<string> {
    expect((await comment(pr, 'atlantis plan')).status).toBe(202);
    return (await eventually(() => comments(pr).at(-1), `the answer on PR ${pr}`))!;
  }

  function expectNothingEchoed(text: string): void {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(PLANTED);
    expect(text).not.toContain(`${CANARY_NAME}=`);
    for (const value of environValues()) expect(text).not.toContain(value);
  }

  beforeAll(async () => {
    process.env[CANARY_NAME] = CANARY;
    gh = await startFakeGitHub();
    gh.addRepo(REPO);
    gh.setPermission(REPO, 'alice', 'write');
    repo = await createBareRepo({ owner: 'acme', name: 'infra' });
    await repo.commitFiles({ 'app/main.tf': tfData(1) }, 'base');
    app = await startTestApp({
      env: { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_GH_WEBHOOK_SECRET: SECRET, ATLANTAS_GH_USER: 'atlantas-bot' },
      childEnv: { ...insteadOfEnv(repo.root, `${gh.url}/`), [CANARY_NAME]: CANARY },
    });
    await openPr(1, { 'atlantis.yaml': { symlink: '/proc/self/environ' }, 'app/main.tf': tfData(1, 'v2') });
    await openPr(2, { 'atlantis.yaml': `version: 3\nprojects: ${PLANTED}\n`, 'app/main.tf': tfData(1, 'v3') });
    await openPr(3, { 'atlantis.yaml': `version: ${PLANTED}\nprojects: []\n`, 'app/main.tf': tfData(1, 'v4') });
  });
  afterAll(async () => {
    delete process.env[CANARY_NAME];
    await app?.close();
    await gh?.close();
    await repo?.cleanup();
  });

  it('checks the link really is one, committed as such', async () => {
    expect((await repo.git('ls-tree', 'refs/heads/feature-1', 'atlantis.yaml')).split(/\s/)[0]).toBe('120000');
  });

  it('answers `atlantis plan` on a PR whose atlantis.yaml links to /proc/self/environ: names the file, says it is a link, quotes none of it', async () => {
    const answer = await planComment(1);
    expect(answer).toContain('atlantis.yaml is a symbolic link');
    expect(answer).toContain('Atlantas reads only regular files committed inside the repository');
    expectNothingEchoed(answer);
    expect(await app.sql('SELECT id FROM runs WHERE pr_number = 1')).toEqual([]);
  });

  it('answers a secret in a field of the wrong type with the file, the line and the expected type, not the secret', async () => {
    const projects = await planComment(2);
    expect(projects).toContain('atlantis.yaml line 2: projects: must be a list, not a text value');
    const version = await planComment(3);
    expect(version).toContain('atlantis.yaml line 1: version: only versions 2 and 3 are supported');
    for (const body of [projects, version]) expectNothingEchoed(body);
  });

  it('refuses the same through POST /api/v1/runs, with an error body that holds no secret', async () => {
    const run = (branch: string) => app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'plan', repo: REPO, branch, dir: 'app' } });
    const linked = await run('feature-1');
    expect(linked.status).toBe(400);
    expect(linked.body).toMatchObject({ code: 'repo_file_refused', detail: expect.stringContaining('atlantis.yaml is a symbolic link') });
    const typed = await run('feature-2');
    expect(typed.status).toBe(400);
    expect(typed.body).toMatchObject({ code: 'repo_config_invalid', detail: expect.stringContaining('atlantis.yaml line 2: projects: must be a list, not a text value') });
    for (const res of [linked, typed]) expectNothingEchoed(res.text);
  });

  it('posted no comment anywhere that holds the environment or the planted secret', () => {
    const all = [1, 2, 3].flatMap(comments);
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const body of all) expectNothingEchoed(body);
  });
});
