import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack, type FakeSlackMessage, type FakeWorkspace } from '../../harness/fake-slack.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../../harness/git-repo.js';
import { sendBlockAction, sendSlashCommand } from '../../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';
import { tfData } from '../../harness/tf-files.js';

const SECRET = 'slack-signing-secret-for-tests';
const CHANNEL = 'C0INFRA';
const PR = 7;

const cardText = (m: FakeSlackMessage) => JSON.stringify(m.blocks);
const buttonValue = (m: FakeSlackMessage, actionId: string): string | undefined =>
  m.blocks.find((b) => b.type === 'actions')?.elements.find((e: any) => e.action_id === actionId)?.value;

/**
 * The plan card end to end: a slash command plans with real terraform and git on real
 * PostgreSQL, the card in the channel shows what terraform printed, and Approve apply applies the
 * saved plan exactly once whoever clicks how often.
 */
describe('Slack: /atlantas plan, the plan card, Approve apply', () => {
  let slack: FakeSlack;
  let home: FakeWorkspace;
  let app: TestApp;
  let repo: BareRepo;

  beforeAll(async () => {
    slack = await startFakeSlack();
    home = slack.addWorkspace({ teamId: 'THOME' });
    repo = await createBareRepo({ owner: 'acme', name: 'infra' });
    await repo.commitFiles({ 'network/main.tf': tfData(3, 'main'), 'app/main.tf': tfData(1) }, 'base');
    const head = await repo.commitFiles({ 'app/main.tf': tfData(2, 'pr') }, 'two apps', { branch: 'feature' });
    await repo.setRef(`refs/pull/${PR}/head`, head);
    app = await startTestApp({
      env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: home.botToken, ATLANTAS_SLACK_API_URL: slack.apiUrl, ATLANTAS_URL: 'https://atlantas.example.com' },
      childEnv: insteadOfEnv(repo.root),
    });
    for (const [id, role] of [['UALICE', 'member'], ['UBOB', 'member'], ['UVERA', 'viewer']] as const) {
      const user = await app.factories.user({ role });
      slack.addUser(home.teamId, { id, email: user.email });
    }
  });
  afterAll(async () => {
    await app?.close();
    await slack?.close();
    await repo?.cleanup();
  });

  async function slash(userId: string, text: string, teamId = home.teamId) {
    const responseUrl = slack.responseUrl();
    const res = await sendSlashCommand(app.url, { teamId, userId, text, responseUrl, channelId: CHANNEL }, { secret: SECRET });
    return { res, responseUrl };
  }
  /** A click on the card's button as it was first posted (an open Slack client may still show it). */
  async function click(userId: string, card: FakeSlackMessage, actionId: string) {
    const responseUrl = slack.responseUrl();
    const asPosted = { ...card, blocks: card.history.find((blocks) => blocks.some((b) => b.type === 'actions' && b.elements.some((e: any) => e.action_id === actionId))) ?? [] };
    const res = await sendBlockAction(app.url, {
      teamId: home.teamId, userId, actionId, value: buttonValue(asPosted, actionId) ?? '', channelId: card.channel, messageTs: card.ts, responseUrl,
    }, { secret: SECRET });
    expect(res.status).toBe(200);
    return responseUrl;
  }
  const answers = (url: string) => slack.responses(url).map((r) => r.text as string);
  const runOf = async (id: string) => (await app.req('GET', `/api/v1/runs/${id}`, { token: app.admin.token })).body;

  it('plans, shows terraform\'s counts on the card, and applies once on Approve apply', async () => {
    const started = Date.now();
    const { res, responseUrl } = await slash('UALICE', 'plan acme/infra -d network');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000); // Slack's limit for the acknowledgement
    await app.slackIdle(); // the card follows the run until it waits for approval
    const [card] = slack.messages(CHANNEL);
    expect(card).toBeDefined();
    const runId = buttonValue(card, 'approve_apply')!;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answers(responseUrl)).toEqual([expect.stringContaining(`as run \`${runId}\``)]);
    const planned = await runOf(runId);
    expect(planned).toMatchObject({ status: 'planned', source: 'slack', pull_request: null, resources_added: 3, resources_changed: 0, resources_destroyed: 0 });
    // the kept plan holds the project's lock in the name of the Slack user's Atlantas user
    const locks = (await app.req('GET', '/api/v1/locks', { token: app.admin.token })).body;
    expect(locks).toEqual([expect.objectContaining({ path: 'network', run_id: runId, holder_kind: 'actor', holder: expect.stringMatching(/@example\.com$/) })]);
    // exactly what terraform printed, on the card
    expect(planned.log).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(planned.summary).toBe('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(cardText(card)).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(cardText(card)).toContain('*3* to add · *0* to change · *0* to destroy');
    expect(cardText(card)).toContain('`create` terraform_data.r0');
    expect(cardText(card)).toContain('started by <@UALICE> from Slack');
    expect(cardText(card)).toContain(`https://atlantas.example.com/api/v1/runs/${runId}`);
    expect(card.history.map((b) => JSON.stringify(b)).some((t) => t.includes('Planning'))).toBe(true); // it moved in place
    expect(cardText(card)).toContain('*Planned*');

    // a viewer is refused, alone, and nothing changes
    const viewer = await click('UVERA', card, 'approve_apply');
    await app.slackIdle();
    expect(answers(viewer)).toEqual([':no_entry: role "viewer" may not run apply']);
    expect(slack.responses(viewer)[0]).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect((await runOf(runId)).status).toBe('planned');

    // two members approve at the same moment: one apply
    const [a, b] = await Promise.all([click('UALICE', card, 'approve_apply'), click('UBOB', card, 'approve_apply')]);
    await app.slackIdle();
    const both = [...answers(a), ...answers(b)];
    expect(both.filter((t) => t.startsWith(`Approved run \`${runId}\``))).toHaveLength(1);
    expect(both.filter((t) => t.startsWith(':no_entry:'))).toHaveLength(1);
    const applied = await runOf(runId);
    expect(applied.status, applied.log).toBe('applied');
    const approvals = await app.sql(`SELECT actor_name, via FROM audit_log WHERE action = 'run.approve' AND target_id = :runId`, { runId });
    expect(approvals).toHaveLength(1);
    expect(approvals[0].via).toBe('slack');
    const [state] = (await app.req('GET', '/api/v1/states', { token: app.admin.token })).body.filter((s: any) => s.name === applied.state_name);
    expect(state.serial).toBeGreaterThanOrEqual(1);
    expect((await app.req('GET', `/api/v1/tfstate/${applied.state_name}/default`, { token: app.admin.token })).text).toContain('"value": "main"');
    const final = slack.message(card.channel, card.ts)!;
    expect(cardText(final)).toContain('*Applied*');
    expect(buttonValue(final, 'approve_apply')).toBeUndefined(); // no more buttons once decided
    // one message, edited in place through the run's life
    const statuses = final.history.map((blocks) => /\*(Queued|Planning…|Planned|Approved by|Applying…|Applied)/.exec(blocks[2].text.text)?.[1]);
    const order = ['Queued', 'Planning…', 'Planned', 'Approved by', 'Applying…', 'Applied'];
    expect(statuses.every((s, i) => i === 0 || order.indexOf(s!) >= order.indexOf(statuses[i - 1]!))).toBe(true);
    expect(statuses).toEqual(expect.arrayContaining(['Planned', 'Applied']));
    expect(statuses.some((s) => s === 'Approved by' || s === 'Applying…')).toBe(true);

    // a second click on the old card: refused, nothing applies again
    const late = await click('UBOB', card, 'approve_apply');
    await app.slackIdle();
    expect(answers(late)).toEqual([`:no_entry: run ${runId} is applied (Apply complete! Resources: 3 added, 0 changed, 0 destroyed.); only a planned run can be approved, and nothing was changed`]);
    expect(await app.sql(`SELECT id FROM audit_log WHERE action = 'run.approve' AND target_id = :runId`, { runId })).toHaveLength(1);
  });

  it('refuses Approve on a card whose plan was superseded by a newer plan of the same project', async () => {
    await slash('UALICE', `plan acme/infra#${PR} -d app`);
    await app.slackIdle();
    const first = slack.messages(CHANNEL).at(-1)!;
    await slash('UBOB', `plan acme/infra#${PR} -d app`);
    await app.slackIdle();
    const second = slack.messages(CHANNEL).at(-1)!;
    expect(second.ts).not.toBe(first.ts);
    const oldRun = buttonValue({ ...first, blocks: first.history[first.history.length - 1] }, 'approve_apply') ?? first.history.map((b) => buttonValue({ ...first, blocks: b }, 'approve_apply')).find(Boolean)!;
    expect((await runOf(oldRun)).status).toBe('discarded');
    const refused = await click('UALICE', first, 'approve_apply');
    await app.slackIdle();
    expect(answers(refused)).toEqual([expect.stringMatching(new RegExp(`^:no_entry: run ${oldRun} is discarded \\(superseded by run [0-9a-f-]{36}\\); only a planned run can be approved, and nothing was changed$`))]);
    expect((await runOf(oldRun)).status).toBe('discarded');
    expect(JSON.stringify(slack.message(first.channel, first.ts)!.blocks)).toContain('*Discarded* — superseded by run'); // the refused click brought the old card up to date
    // Discard on the current one ends it and releases the lock
    const discard = await click('UBOB', second, 'discard_plan');
    await app.slackIdle();
    expect(answers(discard)[0]).toMatch(/^Discarded run/);
    expect(cardText(slack.message(second.channel, second.ts)!)).not.toContain('approve_apply');
  });

  it('plans even where the bot may not post, and says how to go on', async () => {
    slack.closeChannel('GPRIVATE');
    const responseUrl = slack.responseUrl();
    await sendSlashCommand(app.url, { teamId: home.teamId, userId: 'UBOB', text: 'plan acme/infra -d network', responseUrl, channelId: 'GPRIVATE' }, { secret: SECRET });
    await app.slackIdle();
    const [text] = answers(responseUrl);
    expect(text).toMatch(/^Planning acme\/infra `network` \(default\) as run `[0-9a-f-]{36}`/);
    expect(text).toContain(':warning: I could not post the card in this channel (Slack: not_in_channel). Invite me with `/invite @atlantas`');
    expect(slack.messages('GPRIVATE')).toEqual([]);
  });

  it('shows another tenant\'s workspace only its own runs and locks', async () => {
    const tenant = await app.factories.tenant();
    const theirs = slack.addWorkspace({ teamId: 'TTHEIRS' });
    const them = await app.factories.user({ tenantId: tenant.id, role: 'admin' });
    slack.addUser(theirs.teamId, { id: 'UTHEM', email: them.email });
    expect((await app.req('POST', '/api/v1/slack/installations', { token: tenant.adminToken, body: { team_id: theirs.teamId, bot_token: theirs.botToken } })).status).toBe(201);
    const homeRun = (await app.sql<{ id: string }>(`SELECT id FROM runs ORDER BY created_at LIMIT 1`))[0].id;
    const status = await slash('UTHEM', `status ${homeRun}`, theirs.teamId);
    const runs = await slash('UTHEM', 'runs', theirs.teamId);
    const locks = await slash('UTHEM', 'locks', theirs.teamId);
    const approve = await slash('UTHEM', `apply ${homeRun}`, theirs.teamId);
    await app.slackIdle();
    expect(answers(status.responseUrl)).toEqual([`:no_entry: run ${homeRun} not found`]);
    expect(answers(runs.responseUrl)).toEqual(['No runs yet.']);
    expect(answers(locks.responseUrl)).toEqual(['No project is locked.']);
    expect(answers(approve.responseUrl)).toEqual([`:no_entry: run ${homeRun} not found`]);
    // while the home workspace sees them
    const homeRuns = await slash('UALICE', 'runs');
    await app.slackIdle();
    expect(answers(homeRuns.responseUrl)[0]).toContain(homeRun);
  });
});
