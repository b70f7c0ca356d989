import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../harness/fake-github.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { eventually, prCommentEvent, pullRequestEvent, sendWebhook } from '../harness/github-webhooks.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const SECRET = 'webhook-secret';
const REPO = 'acme/hardened';

/**
 * The review's holes in the PR front end, reproduced with signed webhooks against the real server,
 * the fake GitHub REST API, real git and real terraform: forks whose repository was deleted,
 * replayed comments, edited comments, oversized deliveries, and failures that used to leave a
 * status pending forever or say nothing on the pull request.
 */
describe('pull-request webhooks that try to get around the rules', () => {
  let app: TestApp;
  let repo: BareRepo;
  let gh: FakeGitHub;
  const send = (event: string, payload: object, delivery?: string) => sendWebhook(app.url, event, payload, { secret: SECRET, delivery });
  const botComments = (pr: number) => gh.comments(REPO, pr).filter((c) => c.user === 'atlantas-bot').map((c) => c.body);
  const runsOf = (pr: number) => app.sql<{ id: string }>('SELECT id FROM runs WHERE pr_number = :pr', { pr });
  const statusesOf = (sha: string, context = 'atlantis/plan') => gh.statuses(REPO, sha).filter((s) => s.context === context).map((s) => [s.state, s.description]);

  async function openPr(number: number, extra: { headRepo?: string | null } = {}): Promise<string> {
    const sha = await repo.commitFiles({ 'app/main.tf': tfData(1, `v${number}`) }, `PR ${number}`, { branch: `feature-${number}` });
    await repo.setRef(`refs/pull/${number}/head`, sha);
    gh.setPullRequest(REPO, { number, headSha: sha, headRef: `feature-${number}`, baseRef: 'main', ...extra });
    gh.setChangedFiles(REPO, number, ['app/main.tf']);
    return sha;
  }
  const commentOn = (pr: number, body: string, id?: number) => {
    const commentId = gh.addUserComment(REPO, pr, { body, user: 'alice', id });
    return { commentId, payload: prCommentEvent(REPO, pr, body, 'alice', commentId) };
  };

  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.addRepo(REPO);
    gh.setPermission(REPO, 'alice', 'write');
    repo = await createBareRepo({ owner: 'acme', name: 'hardened' });
    await repo.commitFiles({ 'app/main.tf': tfData(1) }, 'base');
    app = await startTestApp({
      env: { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_GH_WEBHOOK_SECRET: SECRET, ATLANTAS_GH_USER: 'atlantas-bot', ATLANTAS_WEBHOOK_BODY_LIMIT: '64kb' },
      childEnv: insteadOfEnv(repo.root, `${gh.url}/`),
    });
  });
  afterAll(async () => {
    await app?.close();
    await gh?.close();
    await repo?.cleanup();
  });

  it('refuses a pull request whose head repository was deleted (head.repo null) like a fork: no run, no status', async () => {
    const sha = await openPr(20, { headRepo: null });
    await send('issue_comment', commentOn(20, 'atlantis plan').payload);
    await app.githubIdle();
    expect(botComments(20)).toEqual([expect.stringContaining("Atlantis commands can't be run on fork pull requests.")]);
    expect(await runsOf(20)).toEqual([]);
    expect(statusesOf(sha)).toEqual([]);

    await send('pull_request', pullRequestEvent('opened', REPO, 20, sha));
    await app.githubIdle();
    expect(botComments(20)).toHaveLength(2); // autoplan says it once, when the PR opens
    expect(await runsOf(20)).toEqual([]);
  });

  it('acts once on a comment re-sent under a new delivery id, and never on an edited comment', async () => {
    await openPr(21);
    const { payload } = commentOn(21, 'atlantis plan -d app');
    expect((await send('issue_comment', payload, 'delivery-a')).status).toBe(202);
    await eventually(() => botComments(21).length === 1, 'the plan comment');
    await app.githubIdle();
    expect(await runsOf(21)).toHaveLength(1);
    // the public lock list names the commenter by their GitHub login, as Atlantis does
    expect((await app.req('GET', '/api/locks')).body.data.locks).toEqual([expect.objectContaining({ pull_request_id: 21, locked_by: 'alice' })]);

    // The same signed body (an attacker who captured it, or a proxy that replays) under a new delivery id.
    expect((await send('issue_comment', payload, 'delivery-b')).status).toBe(202);
    const edited = { ...commentOn(21, 'atlantis apply').payload, action: 'edited' };
    expect((await send('issue_comment', edited)).status).toBe(202);
    await app.githubIdle();
    expect(await runsOf(21)).toHaveLength(1);
    expect(botComments(21)).toHaveLength(1);
    expect(app.logs.lines.some((l) => /already acted on/.test(String(l.msg)))).toBe(true);
  });

  it('refuses a delivery that declares a body over ATLANTAS_WEBHOOK_BODY_LIMIT before reading it', async () => {
    const { port } = new URL(app.url);
    // Headers only: a server that waited for the 10 MB body would never answer.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/events', headers: {
        'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024), 'x-github-event': 'issue_comment',
        'x-github-delivery': 'big', 'x-hub-signature-256': 'sha256=00',
      } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
      req.flushHeaders();
    });
    expect(status).toBe(413);
    const noEvent = await sendWebhook(app.url, '', { zen: 'x' }, { secret: SECRET });
    expect(noEvent.status).toBe(400);
  });

  it('ends atlantis/plan failed, with a comment saying what went wrong, when a command fails after its pending status', async () => {
    const sha = await openPr(22);
    gh.failNext({ method: 'GET', path: `/repos/${REPO}/pulls/22/files`, status: 500 });
    await send('issue_comment', commentOn(22, 'atlantis plan').payload);
    await app.githubIdle();
    expect(statusesOf(sha)).toEqual([['pending', 'Plan in progress...'], ['failure', 'Plan failed.']]);
    expect(botComments(22)).toEqual([expect.stringMatching(/^```\nError: .*GitHub/s)]);
    expect(botComments(22)[0]).not.toContain(gh.pat);
  });

  it('ends an autoplan whose checkout fails with a failed status and a comment, not only a log line', async () => {
    const missing = 'f'.repeat(40); // GitHub names a head commit the repository does not have
    gh.setPullRequest(REPO, { number: 23, headSha: missing, headRef: 'feature-23', baseRef: 'main' });
    gh.setChangedFiles(REPO, 23, ['app/main.tf']);
    await send('pull_request', pullRequestEvent('opened', REPO, 23, missing));
    await app.githubIdle();
    expect(statusesOf(missing)).toEqual([['pending', 'Plan in progress...'], ['failure', 'Plan failed.']]);
    expect(botComments(23)).toEqual([expect.stringContaining('Error: ')]);

    // GitHub itself failing on a push: the event's head commit still gets its failed status.
    gh.failNext({ method: 'GET', path: `/repos/${REPO}/pulls/23`, status: 500 });
    await send('pull_request', pullRequestEvent('synchronize', REPO, 23, missing));
    await app.githubIdle();
    expect(statusesOf(missing).at(-1)).toEqual(['failure', 'Plan failed.']);
    expect(botComments(23)).toHaveLength(2);
  });
});
