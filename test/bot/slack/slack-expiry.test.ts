import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack, type FakeWorkspace } from '../../harness/fake-slack.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../../harness/git-repo.js';
import { sendBlockAction, sendSlashCommand } from '../../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';
import { tfData } from '../../harness/tf-files.js';

const SECRET = 'slack-signing-secret-for-tests';
const CHANNEL = 'C0OPS';
const HOUR = 3_600_000;

/** What time alone does, told in Slack: a kept plan nobody applied expires, a lock held too long is announced. */
describe('Slack: an expired kept plan and a long-held lock', () => {
  let slack: FakeSlack;
  let home: FakeWorkspace;
  let app: TestApp;
  let repo: BareRepo;

  beforeAll(async () => {
    slack = await startFakeSlack();
    home = slack.addWorkspace({ teamId: 'TEXPIRY' });
    repo = await createBareRepo({ owner: 'acme', name: 'infra' });
    await repo.setRef('refs/pull/3/head', await repo.commitFiles({ 'network/main.tf': tfData(1), 'dns/main.tf': tfData(1) }, 'base'));
    app = await startTestApp({
      env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: home.botToken, ATLANTAS_SLACK_API_URL: slack.apiUrl, ATLANTAS_SLACK_CHANNEL: CHANNEL },
      childEnv: insteadOfEnv(repo.root),
    });
    slack.addUser(home.teamId, { id: 'UALICE', email: (await app.factories.user({ role: 'member' })).email });
  });
  afterAll(async () => {
    await app?.close();
    await slack?.close();
    await repo?.cleanup();
  });

  const delivered = (kind: string) => app.sql(`SELECT id FROM notification_outbox WHERE kind = :kind AND status = 'delivered'`, { kind });

  it('updates the card and says so when the plan expires, and warns once about a lock held past ATLANTAS_LOCK_WARN_AFTER', async () => {
    for (const text of ['plan acme/infra -d network', 'plan acme/infra#3 -d dns']) {
      await sendSlashCommand(app.url, { teamId: home.teamId, userId: 'UALICE', text, responseUrl: slack.responseUrl(), channelId: CHANNEL }, { secret: SECRET });
    }
    await app.slackIdle();
    const cardOf = (dir: string) => slack.messages(CHANNEL).find((m) => JSON.stringify(m.blocks).includes(`dir \`${dir}\``))!;
    const [kept, pr] = [cardOf('network'), cardOf('dns')];
    expect(JSON.stringify(kept.blocks)).toContain('*Planned*');
    const [{ id: keptRun }] = await app.sql<{ id: string }>(`SELECT id FROM runs WHERE dir = 'network'`);

    // a day and an hour later
    const later = new Date(Date.now() + 25 * HOUR);
    const swept = await app.internals.housekeeping.tick(later);
    expect(swept.expired).toEqual([keptRun]);
    await expect.poll(async () => (await delivered('run.plan_expired')).length, { timeout: 20_000 }).toBe(1);
    await expect.poll(async () => (await delivered('lock.held_long')).length, { timeout: 20_000 }).toBe(1);
    await app.internals.housekeeping.tick(new Date(later.getTime() + HOUR)); // sweeping again tells nothing again
    await app.internals.notifications.drain();

    const card = JSON.stringify(slack.message(kept.channel, kept.ts)!.blocks);
    expect(card).toContain('*Discarded* — plan expired: not applied within');
    expect(card).not.toContain('approve_apply');
    const expiredMsgs = slack.messages(CHANNEL).filter((m) => m.text.includes('Plan expired'));
    expect(expiredMsgs).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('Plan expired'))!.args.thread_ts).toBe(kept.ts);
    const lockMsgs = slack.messages(CHANNEL).filter((m) => m.text.includes('Lock held for'));
    expect(lockMsgs).toHaveLength(1);
    expect(JSON.stringify(lockMsgs[0].blocks)).toContain('acme/infra dns (default) by pull #3');
    expect(JSON.stringify(slack.message(pr.channel, pr.ts)!.blocks)).toContain('*Planned*'); // the PR's plan does not expire
    expect((await app.req('GET', '/api/v1/locks', { token: app.admin.token })).body.map((l: any) => l.path)).toEqual(['dns']);
  });

  it('posts a card with the buttons for a plan started elsewhere that waits for approval, and its Approve applies', async () => {
    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { repo: 'acme/infra', dir: 'network', keep_plan: true } });
    expect(created.status, created.text).toBe(201);
    const runId = created.body.id;
    await expect.poll(async () => (await delivered('run.needs_approval')).length, { timeout: 60_000 }).toBe(3); // the two Slack plans' (their cards already asked) and this one
    const card = slack.messages(CHANNEL).find((m) => JSON.stringify(m.blocks).includes(`"value":"${runId}"`))!;
    expect(JSON.stringify(card.blocks)).toContain(`started by ${app.admin.email} via api`);
    expect(slack.messages(CHANNEL).filter((m) => m.blocks[0]?.type === 'header')).toHaveLength(3); // one card per run: none twice for the Slack plans
    const responseUrl = slack.responseUrl();
    await sendBlockAction(app.url, { teamId: home.teamId, userId: 'UALICE', actionId: 'approve_apply', value: runId, channelId: card.channel, messageTs: card.ts, responseUrl }, { secret: SECRET });
    await app.slackIdle();
    expect(slack.responses(responseUrl).map((r) => r.text)).toEqual([`Approved run \`${runId}\`; it applies now.`]);
    await expect.poll(async () => JSON.stringify(slack.message(card.channel, card.ts)!.blocks), { timeout: 60_000 }).toContain('*Applied*');
  });
});
