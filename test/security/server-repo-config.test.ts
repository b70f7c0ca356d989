import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../harness/fake-github.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { eventually, prCommentEvent, sendWebhook } from '../harness/github-webhooks.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const SECRET = 'webhook-secret';
const NOT_APPROVED = "Pull request must be approved according to the project's approval rules before running apply.";

/**
 * A pull request can edit its own atlantis.yaml; the server-side repo config (ATLANTAS_REPO_CONFIG)
 * decides what that file may change. Driven through signed PR comments, real git and terraform.
 */
describe('the server-side repo config against a pull request that rewrites atlantis.yaml', () => {
  let gh: FakeGitHub;
  let repo: BareRepo;
  let dir: string;
  const apps: TestApp[] = [];
  let pr = 0;

  async function serverWith(name: string, reposYaml: string): Promise<TestApp> {
    const file = path.join(dir, name);
    await writeFile(file, reposYaml);
    const app = await startTestApp({
      env: { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_GH_WEBHOOK_SECRET: SECRET, ATLANTAS_GH_USER: 'atlantas-bot', ATLANTAS_REPO_CONFIG: file },
      childEnv: insteadOfEnv(repo.root, `${gh.url}/`),
    });
    apps.push(app);
    return app;
  }

  /** A PR with this atlantis.yaml; returns a function that comments on it and answers with the bot's reply. */
  async function prWith(app: TestApp, atlantisYaml: string) {
    const number = ++pr;
    const sha = await repo.commitFiles({ 'atlantis.yaml': atlantisYaml, 'app/main.tf': tfData(1, `v${number}`) }, `PR ${number}`, { branch: `feature-${number}` });
    await repo.setRef(`refs/pull/${number}/head`, sha);
    gh.setPullRequest(REPO(), { number, headSha: sha, headRef: `feature-${number}`, baseRef: 'main', mergeable: true, mergeableState: 'clean' });
    gh.setChangedFiles(REPO(), number, ['atlantis.yaml', 'app/main.tf']);
    return async (body: string): Promise<string> => {
      const before = gh.comments(REPO(), number).length;
      const id = gh.addUserComment(REPO(), number, { body, user: 'alice' });
      await sendWebhook(app.url, 'issue_comment', prCommentEvent(REPO(), number, body, 'alice', id), { secret: SECRET });
      await app.githubIdle();
      return (await eventually(() => gh.comments(REPO(), number).slice(before).filter((c) => c.user === 'atlantas-bot').map((c) => c.body).join('\n'), 'the answer'))!;
    };
  }
  const REPO = () => 'acme/policy';
  const dropsRequirements = 'version: 3\nprojects:\n- name: app\n  dir: app\n  apply_requirements: []\n';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'repos-yaml-'));
    gh = await startFakeGitHub();
    gh.addRepo(REPO());
    gh.setPermission(REPO(), 'alice', 'write');
    repo = await createBareRepo({ owner: 'acme', name: 'policy' });
    await repo.commitFiles({ 'app/main.tf': tfData(1) }, 'base');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await gh?.close();
    await repo?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it("does not let a repo's atlantis.yaml drop a requirement the server sets", async () => {
    const app = await serverWith('strict.yaml', 'repos:\n- id: /.*/\n  apply_requirements: [approved]\n');
    const say = await prWith(app, dropsRequirements);
    expect(await say('atlantis plan')).toContain('Plan: 1 to add');
    const answer = await say('atlantis apply');
    expect(answer).toContain(NOT_APPROVED);
    expect((await app.sql('SELECT status FROM runs')).map((r) => r.status)).toEqual(['planned']);
  });

  it('lets it replace them where the server allows the override', async () => {
    const app = await serverWith('open.yaml', 'repos:\n- id: github.com/acme/policy\n  apply_requirements: [approved]\n  allowed_overrides: [apply_requirements]\n');
    const say = await prWith(app, dropsRequirements);
    await say('atlantis plan');
    expect(await say('atlantis apply')).toContain('Apply complete! Resources: 1 added');
  });

  it('refuses a repo config that sets a key the server does not allow, naming the file, the line and the fix', async () => {
    const app = await serverWith('workflows.yaml', 'repos:\n- id: /.*/\nworkflows:\n  safe:\n    plan:\n      steps: [init, plan]\n');
    const say = await prWith(app, 'version: 3\nprojects:\n- name: app\n  dir: app\n  workflow: safe\n');
    const answer = await say('atlantis plan');
    expect(answer).toMatch(/atlantis\.yaml line \d+: .*workflow.*allowed_overrides/s);
    expect(await app.sql('SELECT id FROM runs')).toEqual([]);
    expect(gh.statuses(REPO(), (await repo.git('rev-parse', `refs/pull/${pr}/head`)).trim()).map((s) => s.state)).toEqual(['pending', 'failure']);
  });
});
