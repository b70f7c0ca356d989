import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { GitHubVcsHost, type GitHubVcsHostOptions } from '../../../src/bot/github/github-vcs-host.js';
import { loadConfig } from '../../../src/config.js';
import { InputError, NotAllowedError, NotFoundError, UnavailableError } from '../../../src/core/errors.js';
import { captureLogs, type CapturedLogs } from '../../harness/capture-logs.js';
import { request } from '../../harness/http.js';
import { startFakeGitHub, type FakeGitHub } from '../../harness/fake-github.js';

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

function hostFor(env: Record<string, string>, options: GitHubVcsHostOptions = {}): GitHubVcsHost {
  const config = loadConfig({ ATLANTAS_GH_API_URL: fake.url, ...env }).github;
  const host = GitHubVcsHost.fromConfig(config, logs.log, { mergeableDelayMs: 1, ...options });
  if (!host) throw new Error('expected a configured host');
  return host;
}

describe('GitHubVcsHost with a personal access token', () => {
  let host: GitHubVcsHost;
  beforeEach(() => {
    host = hostFor({ ATLANTAS_GH_TOKEN: fake.pat });
    fake.setPullRequest(REPO, { number: 7, headSha: 'a'.repeat(40), headRef: 'add-bucket', baseRef: 'main', baseSha: 'b'.repeat(40), author: 'alice' });
  });

  it('posts a PR comment as the token\'s user and returns its id and link', async () => {
    const comment = await host.createComment(REPO, 7, 'Ran Plan for dir: `.`');
    const [stored] = fake.comments(REPO, 7);
    expect(stored).toMatchObject({ id: comment.id, body: 'Ran Plan for dir: `.`', user: 'atlantas-bot' });
    expect(comment.htmlUrl).toBe(`${fake.url}/${REPO}/pull/7#issuecomment-${comment.id}`);
    expect(fake.callsTo('POST', `/repos/${REPO}/issues/7/comments`)[0].headers.authorization).toBe(`token ${fake.pat}`);
  });

  it('reacts to a comment, and reacting again with the same emoji is not an error', async () => {
    const { id } = await host.createComment(REPO, 7, 'atlantis plan');
    await host.addReaction(REPO, id, 'eyes');
    await host.addReaction(REPO, id, 'eyes');
    expect(fake.reactions(id)).toEqual([expect.objectContaining({ content: 'eyes', user: 'atlantas-bot' })]);
    expect(fake.callsTo('POST', `/repos/${REPO}/issues/comments/${id}/reactions`).map((c) => c.status)).toEqual([201, 200]);
  });

  it('sets commit statuses, cutting a long description to GitHub\'s 140 characters', async () => {
    const sha = 'a'.repeat(40);
    await host.setCommitStatus(REPO, sha, { state: 'pending', context: 'atlantis/plan', description: 'Plan in progress...' });
    await host.setCommitStatus(REPO, sha, { state: 'success', context: 'atlantis/plan', description: `2/2 projects planned ${'x'.repeat(200)}`, targetUrl: 'https://atlantas.example.com/runs/1' });
    const [pending, success] = fake.statuses(REPO, sha);
    expect(pending).toMatchObject({ state: 'pending', context: 'atlantis/plan', description: 'Plan in progress...', targetUrl: null });
    expect(success).toMatchObject({ state: 'success', targetUrl: 'https://atlantas.example.com/runs/1' });
    expect(success.description).toHaveLength(140);
    expect(success.description?.startsWith('2/2 projects planned')).toBe(true);
  });

  it('reads a pull request into PullRequestInfo', async () => {
    fake.setPullRequest(REPO, { number: 8, state: 'closed', merged: true, draft: false, mergeable: false, mergeableState: 'dirty' });
    fake.setPullRequest(REPO, { number: 9, draft: true });
    expect(await host.getPullRequest(REPO, 7)).toEqual({
      repoFullName: REPO, number: 7, state: 'open', merged: false, draft: false, headSha: 'a'.repeat(40), headRef: 'add-bucket', headRepoFullName: REPO,
      baseRef: 'main', baseSha: 'b'.repeat(40), authorLogin: 'alice', htmlUrl: `${fake.url}/${REPO}/pull/7`, mergeable: true, mergeableState: 'clean',
    });
    expect(await host.getPullRequest(REPO, 8)).toMatchObject({ state: 'closed', merged: true, mergeable: false, mergeableState: 'dirty' });
    expect(await host.getPullRequest(REPO, 9)).toMatchObject({ draft: true, mergeableState: 'draft' });
  });

  it('re-reads a pull request while GitHub is still computing mergeable, up to a bound', async () => {
    fake.setPullRequest(REPO, { number: 7, mergeableNullReads: 2, mergeable: true });
    expect(await host.getPullRequest(REPO, 7)).toMatchObject({ mergeable: true, mergeableState: 'clean' });
    expect(fake.callsTo('GET', `/repos/${REPO}/pulls/7`)).toHaveLength(3);

    fake.setPullRequest(REPO, { number: 10, mergeableNullReads: 100 });
    const bounded = hostFor({ ATLANTAS_GH_TOKEN: fake.pat }, { mergeableAttempts: 3 });
    expect(await bounded.getPullRequest(REPO, 10)).toMatchObject({ mergeable: null, mergeableState: 'unknown' });
    expect(fake.callsTo('GET', `/repos/${REPO}/pulls/10`)).toHaveLength(3);
  });

  it('counts a PR approved only while some reviewer\'s latest deciding review is an approval', async () => {
    const head = 'a'.repeat(40);
    for (const user of ['alice', 'carol']) fake.setPermission(REPO, user, 'write');
    expect(await host.isApproved(REPO, 7, head)).toBe(false);
    fake.addReview(REPO, 7, { user: 'bob', state: 'COMMENTED' });
    expect(await host.isApproved(REPO, 7, head)).toBe(false);
    fake.addReview(REPO, 7, { user: 'alice', state: 'APPROVED' });
    fake.addReview(REPO, 7, { user: 'alice', state: 'COMMENTED' });
    expect(await host.isApproved(REPO, 7, head)).toBe(true);
    fake.addReview(REPO, 7, { user: 'alice', state: 'CHANGES_REQUESTED' });
    expect(await host.isApproved(REPO, 7, head)).toBe(false);
    fake.addReview(REPO, 7, { user: 'carol', state: 'APPROVED' });
    expect(await host.isApproved(REPO, 7, head)).toBe(true);
    fake.addReview(REPO, 7, { user: 'carol', state: 'DISMISSED' });
    expect(await host.isApproved(REPO, 7, head)).toBe(false);
  });

  it('does not count an approval by someone without write permission on the repository', async () => {
    const head = 'a'.repeat(40);
    fake.setPermission(REPO, 'reader', 'read');
    fake.setPermission(REPO, 'triager', 'triage');
    for (const user of ['reader', 'triager', 'outsider']) fake.addReview(REPO, 7, { user, state: 'APPROVED' });
    expect(await host.isApproved(REPO, 7, head)).toBe(false);
    for (const [user, permission] of [['writer', 'write'], ['maintainer', 'maintain'], ['owner', 'admin']] as const) {
      fake.setPullRequest(REPO, { number: 20 + permission.length, headSha: head });
      fake.setPermission(REPO, user, permission);
      fake.addReview(REPO, 20 + permission.length, { user, state: 'APPROVED' });
      expect(await host.isApproved(REPO, 20 + permission.length, head)).toBe(true);
    }
  });

  it('does not count an approval given on an earlier commit of the pull request', async () => {
    const [older, head] = ['c'.repeat(40), 'a'.repeat(40)];
    fake.setPermission(REPO, 'alice', 'write');
    fake.addReview(REPO, 7, { user: 'alice', state: 'APPROVED', commitId: older });
    expect(await host.isApproved(REPO, 7, head)).toBe(false);
    expect(await host.isApproved(REPO, 7, older)).toBe(true);
    fake.addReview(REPO, 7, { user: 'alice', state: 'COMMENTED' }); // a comment on the new head does not carry the approval forward
    expect(await host.isApproved(REPO, 7, head)).toBe(false);
    fake.addReview(REPO, 7, { user: 'alice', state: 'APPROVED' });
    expect(await host.isApproved(REPO, 7, head)).toBe(true);
  });

  it('lets a later CHANGES_REQUESTED withdraw that reviewer\'s approval, and asks GitHub each reviewer\'s permission once', async () => {
    const head = 'a'.repeat(40);
    fake.setPermission(REPO, 'alice', 'admin');
    fake.setPermission(REPO, 'reader', 'read');
    fake.addReview(REPO, 7, { user: 'reader', state: 'APPROVED' });
    fake.addReview(REPO, 7, { user: 'alice', state: 'APPROVED' });
    fake.addReview(REPO, 7, { user: 'Alice', state: 'CHANGES_REQUESTED' });
    expect(await host.isApproved(REPO, 7, head)).toBe(false);
    fake.addReview(REPO, 7, { user: 'alice', state: 'APPROVED' });
    fake.addReview(REPO, 7, { user: 'alice', state: 'APPROVED' });
    const before = fake.callsTo('GET', /\/collaborators\/[^/]+\/permission$/).length;
    expect(await host.isApproved(REPO, 7, head)).toBe(true);
    const asked = fake.callsTo('GET', /\/collaborators\/[^/]+\/permission$/).slice(before).map((c) => c.path);
    expect(new Set(asked).size).toBe(asked.length);
  });

  it('reads collaborator permissions, keeping maintain and triage, and an unknown login has none', async () => {
    for (const p of ['admin', 'maintain', 'write', 'triage', 'read', 'none'] as const) fake.setPermission(REPO, `user-${p}`, p);
    for (const p of ['admin', 'maintain', 'write', 'triage', 'read', 'none'] as const) {
      expect(await host.getPermission(REPO, `user-${p}`)).toBe(p);
    }
    expect(await host.getPermission(REPO, 'stranger')).toBe('none');
  });

  it('lists every changed file across pages, with the old path of a rename', async () => {
    const files = Array.from({ length: 249 }, (_, i) => `modules/m${i}/main.tf`);
    fake.setChangedFiles(REPO, 7, [...files, { filename: 'envs/prod/main.tf', status: 'renamed', previous_filename: 'prod/main.tf' }]);
    const changed = await host.listChangedFiles(REPO, 7);
    expect(changed).toHaveLength(251);
    expect(changed).toEqual(expect.arrayContaining(['modules/m0/main.tf', 'modules/m248/main.tf', 'envs/prod/main.tf', 'prod/main.tf']));
    expect(fake.callsTo('GET', `/repos/${REPO}/pulls/7/files`).map((c) => c.query.page ?? '1')).toEqual(['1', '2', '3']);
  });

  it('tells whether the base branch has commits the head lacks', async () => {
    const head = 'a'.repeat(40);
    expect(await host.compareDiverged(REPO, 'main', head)).toBe(false);
    fake.setPullRequest(REPO, { number: 7, behindBy: 2 });
    expect(await host.compareDiverged(REPO, 'main', head)).toBe(true);
    fake.setCompare(REPO, 'release/1.x', head, { aheadBy: 3, behindBy: 0 });
    expect(await host.compareDiverged(REPO, 'release/1.x', head)).toBe(false);
  });

  it('gives git the token as x-access-token', async () => {
    expect(await host.cloneCredentials(REPO)).toEqual({ username: 'x-access-token', password: fake.pat });
    expect(host.cloneUrl(REPO)).toBe(`${fake.url}/${REPO}.git`);
  });
});

describe('GitHubVcsHost errors', () => {
  let host: GitHubVcsHost;
  beforeEach(() => {
    host = hostFor({ ATLANTAS_GH_TOKEN: fake.pat });
    fake.setPullRequest(REPO, { number: 7 });
  });

  it('maps a missing repository or pull request to NotFoundError naming the call', async () => {
    const missingRepo = host.createComment('octo-org/nope', 7, 'hi');
    await expect(missingRepo).rejects.toBeInstanceOf(NotFoundError);
    await expect(missingRepo).rejects.toThrow('GitHub createComment on octo-org/nope (#7): not found');
    await expect(host.getPullRequest(REPO, 99)).rejects.toThrow(/getPullRequest on octo-org\/infra \(#99\): not found/);
  });

  it('maps a rejected token to UnavailableError that names the call but never the token', async () => {
    const secret = 'ghp_thisIsNotAValidToken1234567890';
    const bad = hostFor({ ATLANTAS_GH_TOKEN: secret });
    const err = await rejection(bad.createComment(REPO, 7, 'hi'));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toContain('createComment on octo-org/infra');
    expect(err.message).toContain('Bad credentials');
    expect(err.message).toContain('ATLANTAS_GH_TOKEN');
    expect(err.message).not.toContain(secret);
    expect(JSON.stringify(err)).not.toContain(secret);
    expect(logs.text()).toContain('github.bad_credentials');
    expect(logs.text()).not.toContain(secret);
    expect(fake.comments(REPO, 7)).toEqual([]);
  });

  it('surfaces GitHub\'s 422 for a comment over 65 536 characters as an InputError saying so', async () => {
    await host.createComment(REPO, 7, 'x'.repeat(65_536));
    const err = await rejection(host.createComment(REPO, 7, 'x'.repeat(65_537)));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/createComment on octo-org\/infra \(#7\).*body is too long \(maximum is 65536 characters\)/);
    expect(fake.comments(REPO, 7)).toHaveLength(1);
  });

  it('maps 403 to NotAllowedError, a rate limit and 5xx to UnavailableError', async () => {
    const statusPath = `/repos/${REPO}/statuses/${'c'.repeat(40)}`;
    const status = { state: 'pending', context: 'atlantis/plan', description: 'x' } as const;
    fake.failNext({ path: statusPath, status: 403, body: { message: 'Resource not accessible by personal access token', status: '403' } });
    await expect(host.setCommitStatus(REPO, 'c'.repeat(40), status)).rejects.toSatisfy(
      (e: Error) => e instanceof NotAllowedError && e.message.includes('Resource not accessible by personal access token'));
    fake.failNext({ path: statusPath, status: 403, body: { message: 'API rate limit exceeded for user ID 1.' }, headers: { 'x-ratelimit-remaining': '0' } });
    await expect(host.setCommitStatus(REPO, 'c'.repeat(40), status)).rejects.toSatisfy(
      (e: Error) => e instanceof UnavailableError && /rate limited/.test(e.message));
    fake.failNext({ path: statusPath, status: 502 });
    await expect(host.setCommitStatus(REPO, 'c'.repeat(40), status)).rejects.toSatisfy(
      (e: Error) => e instanceof UnavailableError && /HTTP 502/.test(e.message));
    expect(fake.statuses(REPO, 'c'.repeat(40))).toEqual([]);
  });

  it('gives up on a GitHub that does not answer, with UnavailableError', async () => {
    const silent = http.createServer(() => { /* never answers */ });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => { silent.closeAllConnections(); silent.close(() => resolve()); }));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const config = loadConfig({ ATLANTAS_GH_API_URL: url, ATLANTAS_GH_TOKEN: fake.pat }).github;
    const slow = GitHubVcsHost.fromConfig(config, logs.log, { timeoutMs: 200 })!;
    await expect(slow.getPullRequest(REPO, 7)).rejects.toSatisfy(
      (e: Error) => e instanceof UnavailableError && e.message === 'GitHub getPullRequest on octo-org/infra (#7): timed out');
  });

  it('refuses a malformed repository name before calling GitHub', async () => {
    await expect(host.createComment('not a repo', 7, 'hi')).rejects.toThrow(/expected owner\/repo/);
    expect(() => host.cloneUrl('../etc')).toThrow(InputError);
    expect(fake.calls).toEqual([]);
  });
});

describe('the fake GitHub on the wire', () => {
  it('answers GitHub\'s error shapes for missing and bad credentials, unknown repos and invalid input', async () => {
    fake.setPullRequest(REPO, { number: 7 });
    const path = `/repos/${REPO}/issues/7/comments`;
    expect(await request(fake.url, 'GET', path)).toMatchObject({ status: 401, body: { message: 'Requires authentication' } });
    expect(await request(fake.url, 'GET', path, { headers: { authorization: 'token ghp_wrong' } })).toMatchObject({ status: 401, body: { message: 'Bad credentials' } });
    const auth = { authorization: `token ${fake.pat}` };
    expect(await request(fake.url, 'GET', '/repos/octo-org/nope/pulls/7', { headers: auth })).toMatchObject({
      status: 404, body: { message: 'Not Found', documentation_url: expect.stringMatching(/^https:\/\/docs\.github\.com\/rest/) },
    });
    expect(await request(fake.url, 'POST', path, { headers: auth, body: {} })).toMatchObject({
      status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }] },
    });
    expect(await request(fake.url, 'GET', '/app/installations', { headers: auth })).toMatchObject({ status: 404 });
  });

  it('pages lists with a Link header and lists statuses newest first', async () => {
    fake.setPullRequest(REPO, { number: 7, headSha: 'd'.repeat(40), headRef: 'feature' });
    const auth = { authorization: `token ${fake.pat}` };
    for (const n of [1, 2, 3]) await request(fake.url, 'POST', `/repos/${REPO}/issues/7/comments`, { headers: auth, body: { body: `c${n}` } });
    const first = await request(fake.url, 'GET', `/repos/${REPO}/issues/7/comments?per_page=2`, { headers: auth });
    expect(first.body.map((c: { body: string }) => c.body)).toEqual(['c1', 'c2']);
    expect(first.headers.get('link')).toContain(`<${fake.url}/repos/${REPO}/issues/7/comments?per_page=2&page=2>; rel="next"`);
    for (const state of ['pending', 'success']) {
      await request(fake.url, 'POST', `/repos/${REPO}/statuses/${'d'.repeat(40)}`, { headers: auth, body: { state, context: 'atlantis/plan' } });
    }
    const statuses = await request(fake.url, 'GET', `/repos/${REPO}/commits/feature/statuses`, { headers: auth });
    expect(statuses.body.map((s: { state: string }) => s.state)).toEqual(['success', 'pending']);
    expect(fake.calls.every((c) => c.headers.authorization === `token ${fake.pat}`)).toBe(true);
  });
});
