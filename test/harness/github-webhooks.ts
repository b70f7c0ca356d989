import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Webhooks } from '@octokit/webhooks';
import { request, type HttpResponse } from './http.js';

const require = createRequire(import.meta.url);
const EXAMPLES: { name: string; examples: Record<string, any>[] }[] = JSON.parse(
  readFileSync(require.resolve('@octokit/webhooks-examples/api.github.com/index.json'), 'utf8'),
);

/** A deep copy of a real example payload from @octokit/webhooks-examples. */
export function example(event: string, action: string): Record<string, any> {
  const found = EXAMPLES.find((e) => e.name === event)?.examples.find((x) => x.action === action);
  if (!found) throw new Error(`no @octokit/webhooks-examples payload for ${event}.${action}`);
  return structuredClone(found);
}

function pointAtRepo(payload: Record<string, any>, repoFullName: string): void {
  const [owner, name] = repoFullName.split('/');
  Object.assign(payload.repository, { full_name: repoFullName, name, owner: { ...payload.repository.owner, login: owner } });
}

/** pull_request.<action> for PR `number` of `repo`, head at `headSha`. */
export function pullRequestEvent(action: 'opened' | 'synchronize' | 'closed' | 'ready_for_review' | 'reopened', repo: string, number: number, headSha: string, extra: { draft?: boolean; merged?: boolean } = {}) {
  const payload = example('pull_request', action === 'synchronize' || action === 'ready_for_review' ? action : action);
  pointAtRepo(payload, repo);
  payload.number = number;
  Object.assign(payload.pull_request, { number, draft: extra.draft ?? false, merged: extra.merged ?? false, state: action === 'closed' ? 'closed' : 'open' });
  payload.pull_request.head = { ...payload.pull_request.head, sha: headSha, ref: `feature-${number}`, repo: { ...payload.repository } };
  payload.pull_request.base = { ...payload.pull_request.base, ref: 'main', repo: { ...payload.repository } };
  return payload;
}

/** issue_comment.created on pull request `number` (the examples are on issues: add issue.pull_request). */
export function prCommentEvent(repo: string, number: number, body: string, user = 'alice', commentId = Math.floor(Math.random() * 1e9)) {
  const payload = example('issue_comment', 'created');
  pointAtRepo(payload, repo);
  Object.assign(payload.issue, { number, state: 'open', pull_request: { url: `https://api.github.com/repos/${repo}/pulls/${number}`, html_url: `https://github.com/${repo}/pull/${number}` } });
  Object.assign(payload.comment, { id: commentId, body, user: { ...payload.comment.user, login: user, type: 'User' } });
  return payload;
}

/** Posts a webhook to the app signed the real way (`@octokit/webhooks` sign over the exact body). */
export async function sendWebhook(
  baseUrl: string,
  event: string,
  payload: object,
  options: { secret: string; delivery?: string; signature?: string | null; /** default /events; /events/{app_id} for a per-App URL */ path?: string },
): Promise<HttpResponse> {
  const body = JSON.stringify(payload);
  const signature = options.signature === undefined ? await new Webhooks({ secret: options.secret }).sign(body) : options.signature;
  const headers: Record<string, string> = {
    'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': options.delivery ?? randomUUID(), 'user-agent': 'GitHub-Hookshot/test',
  };
  if (signature) headers['x-hub-signature-256'] = signature;
  return request(baseUrl, 'POST', options.path ?? '/events', { rawBody: body, headers });
}

/** Waits until `check` returns a truthy value (the bot works after answering the webhook). */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
