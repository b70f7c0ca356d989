import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as tarCreate } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../harness/fake-github.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { prCommentEvent, sendWebhook } from '../harness/github-webhooks.js';
import { startFakeSlack, type FakeSlack, type FakeWorkspace } from '../harness/fake-slack.js';
import { sendSlashCommand } from '../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { atlantisYaml, tfData } from '../harness/tf-files.js';
import { agentToken, connectMcp, textOf } from '../mcp/mcp-client.js';

const SECRET = 'webhook-secret';
const API_SECRET = 'atlantis-secret';
const REPO = 'acme/parity';
const SLACK_SECRET = 'slack-signing-secret';

/**
 * The parity table: one case, every surface, the same decision — each in its own envelope. REST
 * answers with a status and a `code`; the Atlantis API with its `{success, error}` envelope (or a
 * project-level failure inside a successful one, as Atlantis does); a PR comment with an Atlantis
 * style comment; Slack with an ephemeral answer to the slash command; MCP with an `isError` tool
 * result whose text starts with its stable code; the TFE V2 API (the terraform CLI's cloud block)
 * with a JSON:API error `{"errors":[{"status","title","detail","code"}]}`. Every later front end adds its column here.
 *
 * A cell is `null` where a surface cannot express the case, with the reason beside it.
 */
type Surface = 'rest' | 'atlantis' | 'comment' | 'slack' | 'mcp' | 'tfe';
interface Decision {
  /** REST status and core's code */
  status: number;
  code: string;
  /** what every surface must say (core's message); per surface where Atlantis's wording differs */
  message: RegExp;
  messages?: Partial<Record<Surface, RegExp>>;
}
interface Case {
  name: string;
  decision: Decision;
  rest: (() => Promise<Answer>) | null;
  atlantis: (() => Promise<Answer>) | null;
  comment: (() => Promise<Answer>) | null;
  /** the `plan` tool, called by an agent token of the same person */
  mcp: (() => Promise<Answer>) | null;
  slack: (() => Promise<Answer>) | null;
  /** a run created or confirmed through /api/v2 (TFE), in a remote-mode workspace of the same tenant */
  tfe: (() => Promise<Answer>) | null;
}
/** A surface's answer reduced to what the table compares: its status (HTTP, or 200 + project failure) and the text it shows. */
interface Answer {
  status: number;
  code?: string;
  text: string;
}

const ATLANTIS_CODE: Record<number, string> = { 400: 'VALIDATION_ERROR', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 423: 'VALIDATION_ERROR' };
const MCP_CODE: Record<number, string> = { 400: 'invalid_input', 403: 'forbidden', 404: 'not_found', 423: 'conflict' };

describe('parity: the same case through REST, the Atlantis API, a PR comment, Slack, MCP and TFE gets the same decision', () => {
  let app: TestApp;
  let restricted: TestApp;
  let repo: BareRepo;
  let gh: FakeGitHub;
  let prs = 100;
  let member: { token: string };
  let viewer: { token: string; email: string };
  let slack: FakeSlack;
  let homeWs: FakeWorkspace;
  let restrictedWs: FakeWorkspace;
  let foreigner: { token: string };
  const agents: Record<'member' | 'viewer' | 'foreigner', string> = { member: '', viewer: '', foreigner: '' };
  /** a remote-mode TFE workspace with an uploaded configuration, and a run of it waiting planned for its confirmation */
  const tfeWs = { id: '', cv: '', plannedRun: '' };

  async function openPr(): Promise<number> {
    const number = ++prs;
    const sha = await repo.commitFiles({ 'app/main.tf': tfData(1, `v${number}`) }, `PR ${number}`, { branch: `feature-${number}` });
    await repo.setRef(`refs/pull/${number}/head`, sha);
    gh.setPullRequest(REPO, { number, headSha: sha, headRef: `feature-${number}`, baseRef: 'main' });
    gh.setChangedFiles(REPO, number, ['app/main.tf']);
    return number;
  }
  const botComments = (pr: number) => gh.comments(REPO, pr).filter((c) => c.user === 'atlantas-bot').map((c) => c.body);

  /** Comments on a new PR (or `pr`) and returns the bot's answer. */
  const comment = (body: string, opts: { user?: string; on?: () => TestApp; pr?: number } = {}) => async (): Promise<Answer> => {
    const target = opts.on?.() ?? app;
    const pr = opts.pr ?? (await openPr());
    const before = botComments(pr).length;
    const id = gh.addUserComment(REPO, pr, { body, user: opts.user ?? 'alice' });
    await sendWebhook(target.url, 'issue_comment', prCommentEvent(REPO, pr, body, opts.user ?? 'alice', id), { secret: SECRET });
    await target.githubIdle();
    return { status: 0, text: botComments(pr).slice(before).join('\n') };
  };
  /** `/atlantas <text>` from a Slack user of the app's (or `on`'s) workspace; the ack and what was posted to its response_url. */
  const slash = (text: string | (() => Promise<string>), opts: { user?: string; on?: () => TestApp } = {}) => async (): Promise<Answer> => {
    const target = opts.on?.() ?? app;
    const ws = target === app ? homeWs : restrictedWs;
    const responseUrl = slack.responseUrl();
    const body = typeof text === 'string' ? text : await text();
    const res = await sendSlashCommand(target.url, { teamId: ws.teamId, userId: opts.user ?? 'UMEMBER', text: body, responseUrl }, { secret: SLACK_SECRET });
    await target.slackIdle();
    return { status: res.status, text: [res.body?.text ?? '', ...slack.responses(responseUrl).map((r) => r.text as string)].join('\n') };
  };
  /** PR #100's plan of `net`, once it has planned (the comment's answer may come before the plan is done) */
  const plannedRunOfNet = async () => {
    const planned = () => app.sql<{ id: string }>(`SELECT id FROM runs WHERE dir = 'net' AND status = 'planned'`);
    await expect.poll(async () => (await planned()).length, { timeout: 60_000 }).toBe(1);
    return (await planned())[0].id;
  };
  const rest = (token: () => string, body: object) => async (): Promise<Answer> => {
    const res = await app.req('POST', '/api/v1/runs', { token: token(), body });
    return { status: res.status, code: res.body.code, text: res.body.detail ?? '' };
  };
  const atlantis = (body: object, on?: () => TestApp) => async (): Promise<Answer> => {
    const res = await (on?.() ?? app).req('POST', '/api/plan', { headers: { 'x-atlantis-token': API_SECRET }, body: { Repository: REPO, Ref: 'main', Type: 'Github', ...body } });
    if (res.body.success) {
      const failed = res.body.data.projects.find((p: any) => p.status !== 'success');
      return { status: failed ? 200 : res.status, code: failed?.status, text: failed?.failure ?? failed?.error ?? '' };
    }
    return { status: res.status, code: res.body.error.code, text: res.body.error.message };
  };

  const mcp = (agent: keyof typeof agents, args: Record<string, unknown>, on?: () => TestApp) => async (): Promise<Answer> => {
    const client = await connectMcp(on?.() ?? app, agents[agent]);
    const result = await client.callTool({ name: 'plan', arguments: args });
    const text = textOf(result);
    return { status: result.isError ? 0 : 200, code: result.isError ? text.slice(0, text.indexOf(':')) : undefined, text };
  };

  /** A TFE call: its JSON:API error reduced to status, core's code and detail. */
  const tfe = (token: () => string, call: () => { method: string; path: string; body: unknown }) => async (): Promise<Answer> => {
    const c = call();
    const res = await app.req(c.method, c.path, { token: token(), headers: { 'content-type': 'application/vnd.api+json' }, body: c.body });
    const error = res.body?.errors?.[0];
    return { status: res.status, code: error?.code, text: error?.detail ?? '' };
  };
  const tfeRun = (attributes: Record<string, unknown> = {}) => () => ({
    method: 'POST', path: '/api/v2/runs',
    body: { data: { attributes, relationships: { workspace: { data: { id: tfeWs.id } }, 'configuration-version': { data: { id: tfeWs.cv } } } } },
  });

  const cases: Case[] = [
    {
      name: 'a blocked extra arg',
      decision: { status: 400, code: 'extra_args.blocked', message: /flag "-plugin-dir=\/tmp\/x" is not allowed in extra args/ },
      rest: rest(() => member.token, { repo: REPO, dir: 'app', extra_args: ['-plugin-dir=/tmp/x'] }),
      atlantis: null, // Atlantis's /api/plan has no field for extra args (its APIRequest: Repository, Ref, Type, PR, Projects, Paths)
      comment: comment('atlantis plan -d app -- -plugin-dir=/tmp/x'),
      mcp: mcp('member', { repo: REPO, dir: 'app', extra_args: ['-plugin-dir=/tmp/x'] }),
      slack: slash(`plan ${REPO} -d app -- -plugin-dir=/tmp/x`),
      tfe: null, // a TFE run has no extra args: its attributes become named flags only (-var, -target, -replace), each validated
    },
    {
      name: "a repository outside the caller's tenant",
      decision: { status: 403, code: 'repo_not_allowed', message: /repository acme\/parity is not (in the allowlist|allowed for tenant)/ },
      rest: rest(() => foreigner.token, { repo: REPO, dir: 'app' }),
      // the Atlantis API and webhooks act in the default tenant: there, ATLANTAS_REPO_ALLOWLIST decides
      atlantis: atlantis({ Paths: [{ Directory: 'app' }] }, () => restricted),
      comment: comment('atlantis plan -d app', { on: () => restricted }),
      mcp: mcp('foreigner', { repo: REPO, dir: 'app' }),
      slack: slash(`plan ${REPO} -d app`, { on: () => restricted }),
      tfe: null, // a TFE run names no repository (its configuration is uploaded); another organization is a 404 (tfe-remote-runs.test.ts)
    },
    {
      name: "a viewer's apply",
      decision: {
        status: 403, code: 'forbidden', message: /may not run apply/,
        messages: { comment: /User @mallory does not have permissions to execute 'apply' command\./ },
      },
      rest: rest(() => viewer.token, { repo: REPO, dir: 'app', command: 'apply' }),
      atlantis: null, // the X-Atlantis-Token is one shared identity with the member role: no viewer can hold it
      comment: comment('atlantis apply', { user: 'mallory' }),
      mcp: mcp('viewer', { repo: REPO, dir: 'app', command: 'apply' }),
      // Slack applies a planned run by id (the card's button): the viewer's approval of PR #100's plan
      slack: slash(async () => `apply ${await plannedRunOfNet()}`, { user: 'UVIEWER' }),
      // a viewer queuing an apply run (the CLI's `terraform apply`) in a remote workspace
      tfe: tfe(() => viewer.token, tfeRun()),
    },
    {
      name: 'a locked project',
      decision: { status: 423, code: 'run.lock_held', message: /This project is currently locked by an unapplied plan from pull #100\b/ },
      rest: rest(() => member.token, { repo: REPO, dir: 'net' }),
      atlantis: atlantis({ Paths: [{ Directory: 'net' }] }),
      comment: comment('atlantis plan -d net'),
      mcp: mcp('member', { repo: REPO, dir: 'net' }),
      slack: slash(`plan ${REPO} -d net`),
      tfe: null, // a TFE workspace's runs lock its own workspace, not a repository dir a pull request can hold
    },
    {
      name: 'an unknown project',
      decision: { status: 400, code: 'project_not_found', message: /no project named "nope" in atlantis.yaml; projects are: app, net/ },
      rest: rest(() => member.token, { repo: REPO, project_name: 'nope' }),
      atlantis: atlantis({ Projects: ['nope'] }),
      comment: comment('atlantis plan -p nope'),
      mcp: mcp('member', { repo: REPO, project_name: 'nope' }),
      slack: slash(`plan ${REPO} -p nope`),
      tfe: null, // TFE names workspaces by id: an unknown one is a 404 like another tenant's
    },
    {
      name: "an agent's apply without a human's approval",
      decision: { status: 403, code: 'run.human_approval_required', message: /is an automated agent: an apply needs a human's approval.*approval request \S+ waits for a person/ },
      // the agent token approving PR #100's planned run of `net` by id
      rest: async () => {
        const res = await app.req('POST', `/api/v1/runs/${await plannedRunOfNet()}/approve`, { token: agents.member });
        return { status: res.status, code: res.body.code, text: res.body.detail ?? '' };
      },
      atlantis: null, // the X-Atlantis-Token applies by Atlantis's contract (an operator's opt-in), so it never waits for a human
      comment: null, // a PR comment's author is a person
      mcp: null, // apply_run answers pending_approval with the request (a result, not a refusal): test/mcp covers it
      slack: null, // a Slack user is a person
      // the CLI's "yes" (actions/apply) sent with the agent's token, on a planned run of a remote workspace
      tfe: tfe(() => agents.member, () => ({ method: 'POST', path: `/api/v2/runs/${tfeWs.plannedRun}/actions/apply`, body: {} })),
    },
  ];

  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.addRepo(REPO);
    gh.setPermission(REPO, 'alice', 'write');
    gh.setPermission(REPO, 'mallory', 'read');
    repo = await createBareRepo({ owner: 'acme', name: 'parity' });
    await repo.commitFiles({ 'atlantis.yaml': atlantisYaml([{ name: 'app', dir: 'app' }, { name: 'net', dir: 'net' }]), 'app/main.tf': tfData(1), 'net/main.tf': tfData(1) }, 'base');
    slack = await startFakeSlack();
    homeWs = slack.addWorkspace();
    restrictedWs = slack.addWorkspace();
    const env = { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_GH_WEBHOOK_SECRET: SECRET, ATLANTAS_GH_USER: 'atlantas-bot', ATLANTAS_API_SECRET: API_SECRET };
    const slackEnv = (ws: FakeWorkspace) => ({ SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_BOT_TOKEN: ws.botToken, ATLANTAS_SLACK_API_URL: slack.apiUrl });
    const childEnv = insteadOfEnv(repo.root, `${gh.url}/`);
    app = await startTestApp({ env: { ...env, ...slackEnv(homeWs) }, childEnv });
    restricted = await startTestApp({ env: { ...env, ...slackEnv(restrictedWs), ATLANTAS_REPO_ALLOWLIST: 'acme/other-*' }, childEnv });
    const slackMember = await app.factories.user({ role: 'member' });
    member = slackMember;
    viewer = await app.factories.user({ role: 'viewer' });
    slack.addUser(homeWs.teamId, { id: 'UMEMBER', email: slackMember.email });
    slack.addUser(homeWs.teamId, { id: 'UVIEWER', email: viewer.email });
    slack.addUser(restrictedWs.teamId, { id: 'UMEMBER', email: (await restricted.factories.user({ role: 'member' })).email });
    foreigner = await app.factories.user({ tenantId: (await app.factories.tenant()).id });
    agents.member = (await agentToken(app)).token;
    agents.viewer = (await agentToken(app, { role: 'viewer', scopes: ['mcp:read'] })).token;
    agents.foreigner = (await agentToken(app, { tenantId: (await app.factories.tenant()).id })).token;
    // PR #100 holds the lock on `net` for the locked-project case
    prs = 99;
    const holder = await openPr();
    await comment('atlantis plan -d net', { pr: holder })();
    expect((await app.req('GET', '/api/locks')).body.data.locks).toEqual([expect.objectContaining({ path: 'net', pull_request_id: 100 })]);

    // A remote TFE workspace with an uploaded configuration, and an apply run of it waiting for confirmation.
    const jsonapi = { 'content-type': 'application/vnd.api+json' };
    const ws = await app.req('POST', '/api/v2/organizations/default/workspaces', {
      token: member.token, headers: jsonapi, body: { data: { type: 'workspaces', attributes: { name: 'parity-remote', 'execution-mode': 'remote' } } },
    });
    expect(ws.status, ws.text).toBe(201);
    tfeWs.id = ws.body.data.id;
    const cv = await app.req('POST', `/api/v2/workspaces/${tfeWs.id}/configuration-versions`, { token: member.token, headers: jsonapi, body: { data: { attributes: { 'auto-queue-runs': false } } } });
    tfeWs.cv = cv.body.data.id;
    const src = await mkdtemp(path.join(os.tmpdir(), 'atlantas-parity-cv-'));
    await writeFile(path.join(src, 'main.tf'), tfData(1, 'remote'));
    const chunks: Buffer[] = [];
    for await (const c of tarCreate({ gzip: true, cwd: src, portable: true }, ['main.tf']) as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
    await rm(src, { recursive: true, force: true });
    expect((await fetch(cv.body.data.attributes['upload-url'], { method: 'PUT', body: Buffer.concat(chunks) })).status).toBe(200);
    const run = await tfe(() => member.token, tfeRun())();
    expect(run.status).toBe(201);
    const [created] = (await app.req('GET', `/api/v2/workspaces/${tfeWs.id}/runs`, { token: member.token })).body.data;
    tfeWs.plannedRun = created.id;
    const [settled] = await app.core.runs.waitForSettled(slackMember.actor, [created.attributes['atlantas-run-id']], 60_000);
    expect(settled.status, settled.error ?? '').toBe('planned');
  });
  afterAll(async () => {
    await app?.close();
    await restricted?.close();
    await gh?.close();
    await slack?.close();
    await repo?.cleanup();
  });

  for (const c of cases) {
    it(c.name, async () => {
      const runsBefore = (await app.sql('SELECT id FROM runs')).length;
      const { status, code, message, messages = {} } = c.decision;
      if (c.rest) {
        const a = await c.rest();
        expect(a, 'REST').toMatchObject({ status, code });
        expect(a.text, 'REST').toMatch(messages.rest ?? message);
      }
      if (c.atlantis) {
        const a = await c.atlantis();
        // a refusal of the whole request is an error envelope; one of a project is a failure inside a successful one
        if (a.status === 200) expect(a.code, 'Atlantis API').toBe('failed');
        else expect(a, 'Atlantis API').toMatchObject({ status, code: ATLANTIS_CODE[status] });
        expect(a.text, 'Atlantis API').toMatch(messages.atlantis ?? message);
      }
      if (c.comment) {
        const a = await c.comment();
        expect(a.text, 'PR comment').toMatch(messages.comment ?? message);
      }
      if (c.mcp) {
        const a = await c.mcp();
        expect(a, 'MCP').toMatchObject({ status: 0, code: MCP_CODE[status] });
        expect(a.text, 'MCP').toMatch(messages.mcp ?? message);
      }
      if (c.slack) {
        const a = await c.slack();
        expect(a.status, 'Slack').toBe(200); // Slack shows the refusal, ephemeral, to the one who typed
        expect(a.text, 'Slack').toMatch(messages.slack ?? message);
        expect(a.text, 'Slack').toMatch(/^:no_entry: /m);
      }
      if (c.tfe) {
        const a = await c.tfe();
        expect(a, 'TFE').toMatchObject({ status, code });
        expect(a.text, 'TFE').toMatch(messages.tfe ?? message);
      }
      expect((await app.sql('SELECT id FROM runs')).length, 'nothing ran').toBe(runsBefore);
    });
  }
});
