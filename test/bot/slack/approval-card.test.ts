import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack, type FakeSlackMessage, type FakeWorkspace } from '../../harness/fake-slack.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../../harness/git-repo.js';
import { sendBlockAction } from '../../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';
import { tfData } from '../../harness/tf-files.js';
import { agentToken, connectMcp } from '../../mcp/mcp-client.js';

const SECRET = 'slack-signing-secret-for-tests';
const CHANNEL = 'C0OPS';

const buttonOf = (m: FakeSlackMessage, actionId: string): string | undefined =>
  m.blocks.find((b) => b.type === 'actions')?.elements.find((e: any) => e.action_id === actionId)?.value;

/** An agent's apply_run asks in Slack: the approval card appears once, and a person's Approve (or Reject) there decides it. */
describe('Slack: the approval card for an agent\'s request', () => {
  let slack: FakeSlack;
  let home: FakeWorkspace;
  let app: TestApp;
  let repo: BareRepo;
  let client: Client;

  beforeAll(async () => {
    slack = await startFakeSlack();
    home = slack.addWorkspace({ teamId: 'THOME' });
    repo = await createBareRepo({ owner: 'acme', name: 'gate' });
    await repo.commitFiles({ 'prod/main.tf': tfData(1, 'p'), 'prod2/main.tf': tfData(1, 'q') }, 'two projects');
    app = await startTestApp({
      env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: home.botToken, ATLANTAS_SLACK_API_URL: slack.apiUrl, ATLANTAS_URL: 'https://atlantas.example.com', ATLANTAS_SLACK_CHANNEL: CHANNEL },
      childEnv: insteadOfEnv(repo.root),
    });
    for (const [name, dir] of [['prod-app', 'prod'], ['prod-two', 'prod2']]) {
      expect((await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name, repository_url: 'https://github.com/acme/gate', terraform_path: dir } })).status).toBe(201);
    }
    for (const [id, role] of [['UALICE', 'member'], ['UVERA', 'viewer']] as const) slack.addUser(home.teamId, { id, email: (await app.factories.user({ role })).email });
    client = await connectMcp(app, (await agentToken(app)).token, { keep: true });
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await app?.close();
    await slack?.close();
    await repo?.cleanup();
  });

  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })).structuredContent as any;
  const runStatus = async (id: string) => (await call('get_run', { run_id: id })).status as string;
  async function pendingRequest(project: string): Promise<{ runId: string; approvalId: string; card: FakeSlackMessage }> {
    const run = await call('plan', { project });
    await expect.poll(() => runStatus(run.id), { timeout: 90_000, interval: 250 }).toBe('planned');
    const asked = await call('apply_run', { run_id: run.id, reason: 'roll it out' });
    expect(asked.status).toBe('pending_approval');
    await app.slackIdle();
    await expect.poll(() => slack.messages(CHANNEL).filter((m) => buttonOf(m, 'approve_request') === asked.approval.id).length, { timeout: 20_000 }).toBe(1);
    const card = slack.messages(CHANNEL).find((m) => buttonOf(m, 'approve_request') === asked.approval.id)!;
    return { runId: run.id, approvalId: asked.approval.id, card };
  }
  /** A click on the card's button as it was first posted (an open Slack client may still show it). */
  async function click(userId: string, card: FakeSlackMessage, actionId: string) {
    const responseUrl = slack.responseUrl();
    const value = buttonOf({ ...card, blocks: card.history[0] ?? card.blocks }, actionId) ?? '';
    const res = await sendBlockAction(app.url, { teamId: home.teamId, userId, actionId, value, channelId: card.channel, messageTs: card.ts, responseUrl }, { secret: SECRET });
    expect(res.status).toBe(200);
    await app.slackIdle();
    return slack.responses(responseUrl).map((r) => r.text as string);
  }

  it('shows what is asked and why; a viewer is refused; a member\'s Approve applies, audited via slack', async () => {
    const { runId, approvalId, card } = await pendingRequest('prod-app');
    const text = JSON.stringify(card.blocks);
    expect(text).toContain('roll it out');
    expect(text).toContain('apply acme/gate prod (default)');
    expect(text).toContain(`https://atlantas.example.com/api/v1/approvals/${approvalId}`);

    expect(await click('UVERA', card, 'approve_request')).toEqual([':no_entry: role "viewer" may not run approve']);
    expect((await app.req('GET', `/api/v1/approvals/${approvalId}`, { token: app.admin.token })).body.status).toBe('pending');

    await click('UALICE', card, 'approve_request');
    await expect.poll(() => runStatus(runId), { timeout: 90_000, interval: 250 }).toMatch(/^(applied|errored)$/);
    expect(await runStatus(runId)).toBe('applied');
    const decided = (await app.req('GET', `/api/v1/approvals/${approvalId}`, { token: app.admin.token })).body;
    expect(decided).toMatchObject({ status: 'approved', decided_by: { via: 'slack' }, outcome: 'applying' });
    const updated = slack.message(card.channel, card.ts)!;
    expect(JSON.stringify(updated.blocks)).toContain('*Approved*');
    expect(buttonOf(updated, 'approve_request')).toBeUndefined();
    const audit = await app.sql("SELECT via, detail FROM audit_log WHERE action = 'approval.approve' AND target_id = :id", { id: approvalId });
    expect(audit).toEqual([expect.objectContaining({ via: 'slack' })]);
    // a second click on the old card changes nothing
    expect((await click('UALICE', card, 'approve_request'))[0]).toMatch(/^:no_entry: approval request .* is already approved/);
  });

  it('Reject leaves the plan unapplied', async () => {
    const { runId, approvalId, card } = await pendingRequest('prod-two');
    await click('UALICE', card, 'reject_request');
    expect((await app.req('GET', `/api/v1/approvals/${approvalId}`, { token: app.admin.token })).body).toMatchObject({ status: 'rejected', decided_by: { via: 'slack' } });
    expect(await runStatus(runId)).toBe('canceled');
    expect(JSON.stringify(slack.message(card.channel, card.ts)!.blocks)).toContain('*Rejected*');
  });
});
