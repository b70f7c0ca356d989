import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../../harness/fake-github.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../../harness/git-repo.js';
import { eventually, prCommentEvent, pullRequestEvent, sendWebhook } from '../../harness/github-webhooks.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';
import { atlantisYaml, tfData } from '../../harness/tf-files.js';

const SECRET = 'webhook-secret';
const REPO = 'acme/approvals';
const NOT_APPROVED = "Pull request must be approved according to the project's approval rules before running apply.";

/**
 * `apply_requirements: [approved]` through signed webhooks, the fake GitHub, real git and terraform:
 * only an approval of the head commit by someone who may write to the repository lets apply run.
 */
describe('the approved apply requirement, end to end', () => {
  let app: TestApp;
  let repo: BareRepo;
  let gh: FakeGitHub;
  let head: string;
  const send = (event: string, payload: object) => sendWebhook(app.url, event, payload, { secret: SECRET });
  const comments = () => gh.comments(REPO, 1).filter((c) => c.user === 'atlantas-bot').map((c) => c.body);
  const appRuns = () => app.sql<{ status: string }>("SELECT status FROM runs WHERE pr_number = 1 AND project_name = 'app' ORDER BY created_at");

  /** alice comments `atlantis apply`; resolves with the bot's answer */
  async function apply(): Promise<string> {
    const before = comments().length;
    const body = 'atlantis apply';
    await send('issue_comment', prCommentEvent(REPO, 1, body, 'alice', gh.addUserComment(REPO, 1, { body, user: 'alice' })));
    return (await eventually(() => comments().length > before && comments().at(-1), 'the apply answer')) as string;
  }

  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.addRepo(REPO);
    for (const [user, perm] of [['alice', 'write'], ['bob', 'write'], ['mallory', 'read']] as const) gh.setPermission(REPO, user, perm);
    repo = await createBareRepo({ owner: 'acme', name: 'approvals' });
    const base = await repo.commitFiles(
      { 'atlantis.yaml': atlantisYaml([{ name: 'app', dir: 'app', extra: '  apply_requirements: [approved]\n' }]), 'app/main.tf': tfData(1) },
      'base',
    );
    app = await startTestApp({
      env: { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_GH_WEBHOOK_SECRET: SECRET, ATLANTAS_GH_USER: 'atlantas-bot' },
      childEnv: insteadOfEnv(repo.root, `${gh.url}/`),
    });
    head = await repo.commitFiles({ 'app/main.tf': tfData(1, 'v2') }, 'PR 1', { branch: 'feature-1' });
    await repo.setRef('refs/pull/1/head', head);
    gh.setPullRequest(REPO, { number: 1, headSha: head, headRef: 'feature-1', baseRef: 'main', baseSha: base, mergeable: true, mergeableState: 'clean' });
    gh.setChangedFiles(REPO, 1, ['app/main.tf']);
    await send('pull_request', pullRequestEvent('opened', REPO, 1, head));
    await eventually(() => comments().some((c) => c.includes('Ran Plan for')), 'the autoplan comment');
  });
  afterAll(async () => {
    await app?.close();
    await gh?.close();
    await repo?.cleanup();
  });

  it('refuses apply when the only approval is by a read-only user, and applies nothing', async () => {
    gh.addReview(REPO, 1, { user: 'mallory', state: 'APPROVED', commitId: head });
    const answer = await apply();
    expect(answer).toContain(NOT_APPROVED);
    expect(answer).not.toContain('Apply complete!');
    expect((await appRuns()).map((r) => r.status)).toEqual(['planned']);
  });

  it('refuses apply when a writer approved an earlier commit only', async () => {
    gh.addReview(REPO, 1, { user: 'bob', state: 'APPROVED', commitId: 'f'.repeat(40) });
    expect(await apply()).toContain(NOT_APPROVED);
    expect((await appRuns()).map((r) => r.status)).toEqual(['planned']);
  });

  it('refuses the same run\'s approval through REST: only the PR workflow checks the requirement', async () => {
    const [{ id }] = await app.sql<{ id: string }>("SELECT id FROM runs WHERE pr_number = 1 AND project_name = 'app'");
    for (const path of [`/api/v1/runs/${id}/approve`, `/api/v1/runs/${id}/apply`]) {
      const res = await app.req('POST', path, { token: app.admin.token });
      expect(res.status, path).toBe(409);
      expect(res.body).toMatchObject({ code: 'run.apply_requirements', detail: expect.stringContaining('requires approved before an apply: comment `atlantis apply` on the pull request') });
    }
    expect((await appRuns()).map((r) => r.status)).toEqual(['planned']);
  });

  it('applies once a writer approves the head commit', async () => {
    gh.addReview(REPO, 1, { user: 'bob', state: 'APPROVED', commitId: head });
    const answer = await apply();
    expect(answer).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    expect((await appRuns()).map((r) => r.status)).toEqual(['applied']);
  });
});
