import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack, type FakeSlackMessage, type FakeWorkspace } from '../../harness/fake-slack.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../../harness/git-repo.js';
import { sendBlockAction, sendSlashCommand } from '../../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';
import { tfData } from '../../harness/tf-files.js';

const SECRET = 'slack-signing-secret-for-tests';
const CHANNEL = 'C0OPS';
/** plans fine, fails at apply: a provisioner that exits 1 */
const FAILING_APPLY = `resource "terraform_data" "fail" {
  input = "x"
  provisioner "local-exec" {
    command = "echo 'boom: the apply failed' >&2; exit 1"
  }
}
`;

/** Two replicas of the server on one PostgreSQL, each receiving Slack requests, as behind a load balancer. */
describe('Slack across two replicas on one database', () => {
  let slack: FakeSlack;
  let home: FakeWorkspace;
  let a: TestApp;
  let b: TestApp;
  let repo: BareRepo;

  beforeAll(async () => {
    slack = await startFakeSlack();
    home = slack.addWorkspace({ teamId: 'TREPLICAS' });
    repo = await createBareRepo({ owner: 'acme', name: 'infra' });
    await repo.setRef('refs/pull/1/head', await repo.commitFiles({ 'network/main.tf': tfData(2), 'broken/main.tf': FAILING_APPLY }, 'base'));
    const env = { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: home.botToken, ATLANTAS_SLACK_API_URL: slack.apiUrl, ATLANTAS_SLACK_CHANNEL: CHANNEL };
    a = await startTestApp({ env, childEnv: insteadOfEnv(repo.root) });
    b = await startTestApp({ env, childEnv: insteadOfEnv(repo.root), reuse: { schema: a.reuse.schema, encryptionKey: a.reuse.encryptionKey } });
    for (const id of ['UALICE', 'UBOB']) slack.addUser(home.teamId, { id, email: (await a.factories.user({ role: 'member' })).email });
  });
  afterAll(async () => {
    await b?.close({ keepData: true }); // the schema is a's: it drops it
    if (b?.reuse.dataDir) await rm(b.reuse.dataDir, { recursive: true, force: true });
    await a?.close();
    await slack?.close();
    await repo?.cleanup();
  });

  const idle = () => Promise.all([a.slackIdle(), b.slackIdle()]);
  const approveOn = async (app: TestApp, userId: string, card: FakeSlackMessage, runId: string) => {
    const responseUrl = slack.responseUrl();
    await sendBlockAction(app.url, { teamId: home.teamId, userId, actionId: 'approve_apply', value: runId, channelId: card.channel, messageTs: card.ts, responseUrl }, { secret: SECRET });
    return responseUrl;
  };

  it('applies once when two people click Approve apply on two replicas at the same moment', async () => {
    await sendSlashCommand(a.url, { teamId: home.teamId, userId: 'UALICE', text: 'plan acme/infra#1 -d network', responseUrl: slack.responseUrl(), channelId: CHANNEL }, { secret: SECRET });
    await idle();
    const [card] = slack.messages(CHANNEL);
    const [{ id: runId }] = await a.sql<{ id: string }>(`SELECT id FROM runs WHERE status = 'planned'`);
    const urls = await Promise.all([approveOn(a, 'UALICE', card, runId), approveOn(b, 'UBOB', card, runId)]);
    await idle();
    const answers = urls.flatMap((u) => slack.responses(u).map((r) => r.text as string));
    expect(answers.filter((t) => t.startsWith('Approved run'))).toHaveLength(1);
    expect(answers.filter((t) => t.startsWith(':no_entry:'))).toHaveLength(1);
    await expect.poll(async () => (await a.sql<{ status: string }>(`SELECT status FROM runs WHERE id = :runId`, { runId }))[0].status, { timeout: 60_000 }).toBe('applied');
    expect(await a.sql(`SELECT id FROM audit_log WHERE action = 'run.approve' AND target_id = :runId`, { runId })).toHaveLength(1);
    await idle();
    expect(JSON.stringify(slack.message(card.channel, card.ts)!.blocks)).toContain('*Applied*');
  });

  it('tells an errored apply exactly once, waiting out a 429\'s Retry-After, with both replicas delivering', async () => {
    await sendSlashCommand(b.url, { teamId: home.teamId, userId: 'UBOB', text: 'plan acme/infra -d broken', responseUrl: slack.responseUrl(), channelId: CHANNEL }, { secret: SECRET });
    await idle();
    const card = slack.messages(CHANNEL).at(-1)!;
    const [{ id: runId }] = await a.sql<{ id: string }>(`SELECT id FROM runs WHERE dir = 'broken'`);
    const postsBefore = slack.callsTo('chat.postMessage').length;
    slack.rateLimit('chat.postMessage', 1); // the first try of the notification gets 429, Retry-After: 1
    await approveOn(a, 'UALICE', card, runId);
    await expect.poll(async () => (await a.sql<{ status: string }>(`SELECT status FROM runs WHERE id = :runId`, { runId }))[0].status, { timeout: 60_000 }).toBe('errored');
    const told = () => a.sql<{ status: string; attempts: number }>(`SELECT status, attempts FROM notification_outbox WHERE kind = 'run.errored' AND event->>'runId' = :runId`, { runId });
    await expect.poll(async () => (await told()).map((r) => r.status), { timeout: 30_000 }).toEqual(['delivered']);
    await Promise.all([a.internals.notifications.drain(), b.internals.notifications.drain()]); // nothing left for either replica
    await idle();
    expect((await told())[0].attempts).toBe(2);
    // the errored apply also opens an incident, whose card is posted on its own (not under the run's card)
    const posts = slack.callsTo('chat.postMessage').slice(postsBefore).filter((p) => p.args.thread_ts === card.ts);
    expect(posts.map((p) => p.status)).toEqual([429, 200]);
    // Retry-After: 1, counted from Slack's 429 answer.
    expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(1000);
    const errored = slack.messages(CHANNEL).filter((m) => m.text.includes('Errored'));
    expect(errored).toHaveLength(1);
    expect(posts[1].args.thread_ts).toBe(card.ts); // under the run's card
    expect(JSON.stringify(errored[0].blocks)).toContain('boom: the apply failed');
    expect(JSON.stringify(slack.message(card.channel, card.ts)!.blocks)).toContain('*Errored*');
  });
});
