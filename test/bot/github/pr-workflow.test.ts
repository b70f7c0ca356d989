import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../../harness/fake-github.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../../harness/git-repo.js';
import { eventually, prCommentEvent, pullRequestEvent, sendWebhook } from '../../harness/github-webhooks.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';
import { atlantisYaml, tfData } from '../../harness/tf-files.js';

const SECRET = 'webhook-secret';
const REPO = 'acme/infra';

describe('the GitHub pull-request bot, end to end (signed webhooks, fake GitHub REST, real git and terraform)', () => {
  let app: TestApp;
  let repo: BareRepo;
  let gh: FakeGitHub;
  const send = (event: string, payload: object, delivery?: string) => sendWebhook(app.url, event, payload, { secret: SECRET, delivery });
  /** what the bot posted on the PR */
  const comments = (pr: number) => gh.comments(REPO, pr).filter((c) => c.user === 'atlantas-bot').map((c) => c.body);
  /** a person comments on the PR: the comment exists on GitHub, then its webhook arrives */
  const comment = (pr: number, body: string, user = 'alice', id?: number) =>
    send('issue_comment', prCommentEvent(REPO, pr, body, user, gh.addUserComment(REPO, pr, { body, user, id })));

  /** A PR branch from main with `files`, its refs/pull/N/head, and the fake GitHub's view of it. */
  async function openPr(number: number, files: Record<string, string>): Promise<string> {
    const sha = await repo.commitFiles(files, `PR ${number}`, { branch: `feature-${number}` });
    await repo.setRef(`refs/pull/${number}/head`, sha);
    gh.setPullRequest(REPO, { number, headSha: sha, headRef: `feature-${number}`, baseRef: 'main', mergeable: true, mergeableState: 'clean' });
    gh.setChangedFiles(REPO, number, Object.keys(files));
    return sha;
  }

  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.addRepo(REPO);
    for (const [user, perm] of [['alice', 'write'], ['bob', 'admin'], ['mallory', 'read']] as const) gh.setPermission(REPO, user, perm);
    repo = await createBareRepo({ owner: 'acme', name: 'infra' });
    await repo.commitFiles(
      {
        'atlantis.yaml': atlantisYaml([{ name: 'network', dir: 'network' }, { name: 'app', dir: 'app', extra: '  apply_requirements: [approved]\n' }]),
        'network/main.tf': tfData(2),
        'app/main.tf': tfData(1),
      },
      'base',
    );
    app = await startTestApp({
      env: { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_GH_WEBHOOK_SECRET: SECRET, ATLANTAS_GH_USER: 'atlantas-bot' },
      childEnv: insteadOfEnv(repo.root, `${gh.url}/`),
    });
  });
  afterAll(async () => {
    await app?.close();
    await gh?.close();
    await repo?.cleanup();
  });

  it('autoplans both projects of a new PR: one comment with the exact counts, statuses pending then success', async () => {
    const sha = await openPr(1, { 'network/main.tf': tfData(2, 'v2'), 'app/main.tf': tfData(1, 'v2') });
    const res = await send('pull_request', pullRequestEvent('opened', REPO, 1, sha));
    expect(res.status).toBe(202);
    const [body] = (await eventually(() => (comments(1).length ? comments(1) : null), 'the plan comment'))!;
    await app.githubIdle(); // the status follows the comment
    expect(body).toContain('Ran Plan for 2 projects:');
    expect(body).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    expect(body).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(body).toContain('atlantis apply -p network');
    const statuses = gh.statuses(REPO, sha).filter((s) => s.context === 'atlantis/plan'); // in the order they were set
    expect(statuses.map((s) => [s.state, s.description])).toEqual([['pending', 'Plan in progress...'], ['success', '2/2 projects planned successfully.']]);
  });

  it('`atlantis apply -p network` applies that project only; `atlantis apply` without the required approval applies nothing', async () => {
    const before = comments(1).length;
    const res = await comment(1, 'atlantis apply -p network', 'alice', 4242);
    expect(res.status).toBe(202);
    const applied = await eventually(() => comments(1).length > before && comments(1).at(-1), 'the apply comment');
    expect(applied).toContain('Ran Apply for');
    expect(applied).toContain('network');
    expect(applied).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
    expect(gh.reactions(4242).map((r) => r.content)).toContain('eyes');
    const runs = await app.sql<{ project_name: string; status: string; operation: string }>('SELECT project_name, status FROM runs WHERE pr_number = 1 ORDER BY created_at');
    expect(runs).toEqual(expect.arrayContaining([{ project_name: 'network', status: 'applied' }, { project_name: 'app', status: 'planned' }]));

    const count = comments(1).length;
    await comment(1, 'atlantis apply');
    const refused = await eventually(() => comments(1).length > count && comments(1).at(-1), 'the refusal');
    expect(refused).toContain("Pull request must be approved according to the project's approval rules before running apply.");
    expect(refused).not.toContain('Apply complete!');
    expect((await app.sql("SELECT status FROM runs WHERE pr_number = 1 AND project_name = 'app'")).map((r) => r.status)).toEqual(['planned']);
    const applyStatus = gh.statuses(REPO, (await app.sql('SELECT commit_sha FROM runs WHERE pr_number = 1 LIMIT 1'))[0].commit_sha).filter((s) => s.context === 'atlantis/apply').at(-1);
    expect(applyStatus).toMatchObject({ state: 'failure', description: '1/1 projects failed to apply.' });
  });

  it('answers a second PR touching a locked project with the lock comment; closing the first PR releases it', async () => {
    const sha = await openPr(2, { 'network/main.tf': tfData(2, 'v3') });
    await send('pull_request', pullRequestEvent('opened', REPO, 2, sha));
    const [locked] = (await eventually(() => (comments(2).length ? comments(2) : null), 'the lock comment'))!;
    expect(locked).toContain('**Plan Failed**');
    expect(locked).toContain('This project is currently locked by an unapplied plan from pull #1. To continue, delete the lock from #1 or apply that plan and merge the pull request.');
    expect(locked).toContain('Once the lock is released, comment `atlantis plan` here to re-plan.');

    const before1 = comments(1).length;
    await send('pull_request', pullRequestEvent('closed', REPO, 1, 'whatever', { merged: true }));
    const cleanup = await eventually(() => comments(1).length > before1 && comments(1).at(-1), 'the cleanup comment');
    expect(cleanup).toContain('Locks and plans deleted for the projects and workspaces modified in this pull request:');
    expect(cleanup).toContain('- dir: `network` workspaces: `default`');
    expect(await app.sql('SELECT id FROM project_locks WHERE pr_number = 1')).toEqual([]);
    expect((await app.sql("SELECT status FROM runs WHERE pr_number = 1 AND project_name = 'app'")).map((r) => r.status)).toEqual(['discarded']);

    const before2 = comments(2).length;
    await comment(2, 'atlantis plan');
    const replanned = await eventually(() => comments(2).length > before2 && comments(2).at(-1), 'the re-plan');
    expect(replanned).toContain('Ran Plan for');
    expect(replanned).toContain('Plan: 0 to add, 2 to change, 0 to destroy.');
    expect(replanned).not.toContain('locked');
  });

  it('refuses bad signatures, ignores replayed deliveries and unaddressed or own comments, and answers the rest without running anything', async () => {
    await openPr(5, { 'app/main.tf': tfData(1, 'v5') });
    const payload = prCommentEvent(REPO, 5, 'atlantis plan', 'alice', gh.addUserComment(REPO, 5, { body: 'atlantis plan', user: 'alice' }));
    expect((await sendWebhook(app.url, 'issue_comment', payload, { secret: SECRET, signature: 'sha256=' + '0'.repeat(64) })).status).toBe(401);
    expect((await sendWebhook(app.url, 'issue_comment', payload, { secret: SECRET, signature: null })).status).toBe(401);
    expect((await sendWebhook(app.url, 'issue_comment', payload, { secret: 'not-the-secret' })).status).toBe(401);

    const help = prCommentEvent(REPO, 5, 'atlantis help', 'alice', gh.addUserComment(REPO, 5, { body: 'atlantis help', user: 'alice' }));
    expect((await send('issue_comment', help, 'delivery-help')).status).toBe(202);
    const replay = await send('issue_comment', help, 'delivery-help');
    expect(replay.status).toBe(200);
    expect(replay.body.detail).toMatch(/already received/);

    await comment(5, 'atlantis plan', 'mallory');
    await comment(5, 'atlantis paln');
    await comment(5, 'atlantis plan -d ../..');
    await send('issue_comment', prCommentEvent(REPO, 5, 'atlantis plan', 'atlantas-bot')); // the bot's own comment
    await comment(5, 'LGTM, ship it');
    await app.githubIdle();

    const replies = comments(5);
    expect(replies).toHaveLength(4);
    expect(replies.filter((b) => b.includes('Terraform Pull Request Automation'))).toHaveLength(1); // help once, not twice
    expect(replies).toContainEqual(expect.stringContaining("Error: User @mallory does not have permissions to execute 'plan' command."));
    expect(replies).toContainEqual(expect.stringContaining('Error: unknown command "paln".'));
    expect(replies).toContainEqual(expect.stringContaining('using a relative path "../.." with -d/--dir is not allowed'));
    expect(await app.sql('SELECT id FROM runs WHERE pr_number = 5')).toEqual([]);
    expect(gh.statuses(REPO, (await repo.git('rev-parse', 'refs/pull/5/head')).trim())).toEqual([]);
  });

  it('refuses a repository outside the allowlist with a comment saying so', async () => {
    const restricted = await startTestApp({
      env: { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_GH_WEBHOOK_SECRET: SECRET, ATLANTAS_REPO_ALLOWLIST: 'acme/platform-*' },
      childEnv: insteadOfEnv(repo.root, `${gh.url}/`),
    });
    try {
      await openPr(6, { 'app/main.tf': tfData(1, 'v6') });
      await sendWebhook(restricted.url, 'issue_comment', prCommentEvent(REPO, 6, 'atlantis plan', 'alice', gh.addUserComment(REPO, 6, { body: 'atlantis plan', user: 'alice' })), { secret: SECRET });
      await restricted.githubIdle();
      expect(comments(6)).toEqual([expect.stringContaining('acme/infra is not in the allowlist (ATLANTAS_REPO_ALLOWLIST)')]);
      expect(await restricted.sql('SELECT id FROM runs')).toEqual([]);
    } finally {
      await restricted.close();
    }
  });
});
