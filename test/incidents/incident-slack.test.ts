import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackHelp } from '../../src/bot/slack/slack-grammar.js';
import { startFakeSlack, type FakeSlack, type FakeSlackMessage, type FakeWorkspace } from '../harness/fake-slack.js';
import { sendBlockAction, sendSlashCommand } from '../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

const SECRET = 'slack-signing-secret-for-tests';
const CHANNEL = 'C0OPS';

const buttons = (m: FakeSlackMessage): string[] => m.blocks.find((b) => b.type === 'actions')?.elements.map((e: any) => e.action_id) ?? [];
const buttonValue = (blocks: any[], actionId: string): string =>
  blocks.find((b) => b.type === 'actions')?.elements.find((e: any) => e.action_id === actionId)?.value ?? '';

/** An incident in Slack: the card is posted once with Acknowledge and Resolve; clicks move the incident as the clicking person. */
describe('Slack: incident cards and /atlantas incident', () => {
  let slack: FakeSlack;
  let home: FakeWorkspace;
  let app: TestApp;
  let aliceEmail: string;

  beforeAll(async () => {
    slack = await startFakeSlack();
    home = slack.addWorkspace({ teamId: 'THOME' });
    app = await startTestApp({
      env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: home.botToken, ATLANTAS_SLACK_API_URL: slack.apiUrl, ATLANTAS_URL: 'https://atlantas.example.com', ATLANTAS_SLACK_CHANNEL: CHANNEL },
    });
    aliceEmail = (await app.factories.user({ role: 'member' })).email;
    slack.addUser(home.teamId, { id: 'UALICE', email: aliceEmail });
    slack.addUser(home.teamId, { id: 'UVERA', email: (await app.factories.user({ role: 'viewer' })).email });
  });
  afterAll(async () => {
    await app?.close();
    await slack?.close();
  });

  const cardsOf = (id: string) => slack.messages(CHANNEL).filter((m) => m.blocks.some((b) => b.type === 'actions' && b.elements.some((e: any) => e.value === id)) || m.history.some((h) => JSON.stringify(h).includes(id)));
  const settle = async () => {
    await app.internals.notifications.drain();
    await app.slackIdle();
  };
  async function click(userId: string, card: FakeSlackMessage, actionId: string): Promise<string[]> {
    const responseUrl = slack.responseUrl();
    const value = buttonValue(card.history[0] ?? card.blocks, actionId);
    const res = await sendBlockAction(app.url, { teamId: home.teamId, userId, actionId, value, channelId: card.channel, messageTs: card.ts, responseUrl }, { secret: SECRET });
    expect(res.status).toBe(200);
    await app.slackIdle();
    return slack.responses(responseUrl).map((r) => r.text as string);
  }
  async function slash(userId: string, text: string): Promise<string[]> {
    const responseUrl = slack.responseUrl();
    const res = await sendSlashCommand(app.url, { teamId: home.teamId, userId, text, responseUrl }, { secret: SECRET });
    expect(res.status).toBe(200);
    await app.slackIdle();
    return slack.responses(responseUrl).map((r) => r.text as string);
  }

  it('posts the card once with Acknowledge and Resolve; Acknowledge moves the incident as the Slack user; Resolve resolves it and says so in the thread', async () => {
    const created = await app.req('POST', '/api/incidents', { token: app.admin.token, body: { title: 'Checkout latency', severity: 'P2', source: 'prometheus', description: 'p99 at 4s' } });
    expect(created.status).toBe(201);
    const { id, reference } = created.body.data;
    await expect.poll(async () => (await settle(), cardsOf(id).length), { timeout: 20_000 }).toBe(1);
    await settle();
    expect(cardsOf(id)).toHaveLength(1); // exactly once
    const [card] = cardsOf(id);
    expect(buttons(card)).toEqual(['incident_acknowledge', 'incident_resolve']);
    expect(JSON.stringify(card.blocks)).toContain(`P2 ${reference}: Checkout latency`);
    expect(JSON.stringify(card.blocks)).toContain(`https://atlantas.example.com/api/incidents/${id}`);
    const linked = (await app.req('GET', `/api/incidents/${id}`, { token: app.admin.token })).body.data;
    expect(linked.links).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'notification', id: `slack:${CHANNEL}:${card.ts}` })]));

    expect(await click('UVERA', card, 'incident_acknowledge')).toEqual([':no_entry: role "viewer" may not incidents write']);
    expect((await app.req('GET', `/api/incidents/${id}`, { token: app.admin.token })).body.data.status).toBe('triggered');

    await click('UALICE', card, 'incident_acknowledge');
    const acked = (await app.req('GET', `/api/incidents/${id}`, { token: app.admin.token })).body.data;
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledged_at: expect.any(String) });
    expect(acked.timeline.filter((e: any) => e.kind === 'status').map((e: any) => [e.message, e.actor.name, e.actor.via])).toEqual([
      ['triggered → open', aliceEmail, 'slack'], ['open → acknowledged', aliceEmail, 'slack'],
    ]);
    const updated = slack.message(CHANNEL, card.ts)!;
    expect(updated.updates).toBeGreaterThanOrEqual(1); // the click's own update, then incident.updated's refreshes
    expect(buttons(updated)).toEqual(['incident_resolve']);
    expect(JSON.stringify(updated.blocks)).toContain('Acknowledged');

    // the first card's Acknowledge again (an open client may still show it): refused to the clicker alone
    expect(await click('UALICE', card, 'incident_acknowledge')).toEqual([expect.stringContaining(`incident ${reference} cannot go from acknowledged to acknowledged: allowed next: investigating`)]);

    await click('UALICE', card, 'incident_resolve');
    await settle();
    const resolved = (await app.req('GET', `/api/incidents/${id}`, { token: app.admin.token })).body.data;
    expect(resolved).toMatchObject({ status: 'resolved', resolved_by: aliceEmail, resolution_notes: 'resolved from Slack' });
    const final = slack.message(CHANNEL, card.ts)!;
    expect(buttons(final)).toEqual([]);
    expect(JSON.stringify(final.blocks)).toContain('Resolved');
    const threadedOf = () => slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === card.ts);
    await expect.poll(async () => (await settle(), threadedOf().length), { timeout: 20_000 }).toBe(1); // the dispatcher may be delivering it already
    const threaded = threadedOf();
    expect(threaded[0].args.text).toContain(`${reference} resolved by ${aliceEmail}`);
    await settle();
    expect(cardsOf(id)).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === card.ts)).toHaveLength(1);
  });

  it('brings the card up to date when the incident moves through REST, without posting anything new', async () => {
    const { id } = (await app.req('POST', '/api/incidents', { token: app.admin.token, body: { title: 'Moved elsewhere' } })).body.data;
    await expect.poll(async () => (await settle(), cardsOf(id).length), { timeout: 20_000 }).toBe(1);
    const [card] = cardsOf(id);
    const posted = slack.callsTo('chat.postMessage').length;
    for (const status of ['open', 'acknowledged']) expect((await app.req('PATCH', `/api/incidents/${id}`, { token: app.admin.token, body: { status } })).status).toBe(200);
    await expect.poll(async () => (await settle(), JSON.stringify(slack.message(CHANNEL, card.ts)!.blocks)), { timeout: 20_000 }).toContain('Acknowledged');
    expect(buttons(slack.message(CHANNEL, card.ts)!)).toEqual(['incident_resolve']);
    expect(slack.callsTo('chat.postMessage').length).toBe(posted);
  });

  it('/atlantas incident lists the unresolved incidents, and /atlantas incident <id> shows one', async () => {
    const { data } = (await app.req('POST', '/api/incidents', { token: app.admin.token, body: { title: 'Queue backlog', severity: 'P3' } })).body;
    const [list] = await slash('UALICE', 'incident');
    expect(list).toContain(`\`${data.reference}\` *Queue backlog* · triggered`);
    const [one] = await slash('UVERA', `incident ${data.reference}`);
    expect(one).toContain(`\`${data.reference}\` *Queue backlog* · P3 · triggered`);
    expect(one).toContain('incident raised by');
    const [missing] = await slash('UALICE', 'incident INC-99999999');
    expect(missing).toContain('incident INC-99999999 not found');
    expect(slackHelp()).toContain('/atlantas incident [id]');
  });
});
