import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../harness/fake-github.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { eventually, prCommentEvent, pullRequestEvent, sendWebhook } from '../harness/github-webhooks.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { atlantisYaml, tfData } from '../harness/tf-files.js';
import { agentToken, connectMcp } from './mcp-client.js';

const SECRET = 'webhook-secret';
const REPO = 'acme/gate';

/** An agent asks to apply a pull request's plan; a permitted person's `atlantis apply` on that PR is the approval. */
describe('approving an agent\'s request with `atlantis apply` on the pull request', () => {
  let app: TestApp;
  let repo: BareRepo;
  let gh: FakeGitHub;
  const send = (event: string, payload: object) => sendWebhook(app.url, event, payload, { secret: SECRET });
  const comments = () => gh.comments(REPO, 1).filter((c) => c.user === 'atlantas-bot').map((c) => c.body);

  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.addRepo(REPO);
    gh.setPermission(REPO, 'alice', 'write');
    repo = await createBareRepo({ owner: 'acme', name: 'gate' });
    const base = await repo.commitFiles({ 'atlantis.yaml': atlantisYaml([{ name: 'app', dir: 'app' }]), 'app/main.tf': tfData(1) }, 'base');
    app = await startTestApp({
      env: { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_GH_WEBHOOK_SECRET: SECRET, ATLANTAS_GH_USER: 'atlantas-bot' },
      childEnv: insteadOfEnv(repo.root, `${gh.url}/`),
    });
    const head = await repo.commitFiles({ 'app/main.tf': tfData(1, 'v2') }, 'PR 1', { branch: 'feature-1' });
    await repo.setRef('refs/pull/1/head', head);
    gh.setPullRequest(REPO, { number: 1, headSha: head, headRef: 'feature-1', baseRef: 'main', baseSha: base, mergeable: true, mergeableState: 'clean' });
    gh.setChangedFiles(REPO, 1, ['app/main.tf']);
    await send('pull_request', pullRequestEvent('opened', REPO, 1, head));
    await eventually(() => comments().some((c) => c.includes('Ran Plan for')), 'the autoplan comment');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await gh?.close();
    await repo?.cleanup();
  });

  it('the PR comment decides the pending request, via github, and the run applies', async () => {
    const [run] = await app.sql<{ id: string }>("SELECT id FROM runs WHERE pr_number = 1 AND status = 'planned'");
    const agent = await agentToken(app);
    const client = await connectMcp(app, agent.token);
    const asked = await client.callTool({ name: 'apply_run', arguments: { run_id: run!.id, reason: 'the PR was reviewed' } });
    const approval = (asked.structuredContent as any).approval;
    expect(asked.structuredContent).toMatchObject({ status: 'pending_approval', approval: { status: 'pending', run_id: run!.id } });

    // The PR is asked, once: who asks, the agent's reason as data, how a person approves.
    const asking = await eventually(() => comments().find((c) => c.includes('asks to')), 'the approval request on the PR');
    expect(asking).toContain('`the PR was reviewed`');
    expect(asking).toContain('`atlantis apply -p app`');
    expect(asking).toContain(`/api/v1/approvals/${approval.id}/approve`);
    await app.internals.notifications.drain();
    expect(comments().filter((c) => c.includes('asks to'))).toHaveLength(1);

    const before = comments().length;
    await send('issue_comment', prCommentEvent(REPO, 1, 'atlantis apply', 'alice', gh.addUserComment(REPO, 1, { body: 'atlantis apply', user: 'alice' })));
    const answer = await eventually(() => comments().length > before && comments().at(-1), 'the apply answer');
    expect(answer).toContain('Apply complete!');

    const decided = await app.req('GET', `/api/v1/approvals/${approval.id}`, { token: app.admin.token });
    expect(decided.body).toMatchObject({ status: 'approved', decided_by: { via: 'github' } });
    expect(decided.body.decided_by.name).toMatch(/alice/);
    const audit = await app.req('GET', `/api/v1/audit?action=approval.approve&target_id=${approval.id}`, { token: app.admin.token });
    expect(audit.body).toEqual([expect.objectContaining({ via: 'github', detail: expect.objectContaining({ reason: 'the PR was reviewed', token: agent.tokenId }) })]);
  });
});
