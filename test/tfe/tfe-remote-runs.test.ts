import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as tarCreate } from 'tar';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { JSONAPI, remoteWorkspaceDir, runAnswering, uniqueName } from './tfe-harness.js';


/**
 * The real terraform CLI's cloud block against the running server, workspace in remote
 * execution mode: the CLI uploads its configuration, the run executes on the server (queue,
 * sandbox, runner), its output streams back through the log-read-url, and apply waits for the
 * CLI's confirmation.
 */
describe('terraform cloud block, remote execution mode', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());


  async function remoteDir(token: string, name: string, options: { slowSeconds?: number; autoApply?: boolean } = {}) {
    const made = await remoteWorkspaceDir(app, token, name, options);
    onTestFinished(() => made.wd.cleanup());
    const init = await made.wd.run(['init', '-input=false']);
    expect(init.code, init.output).toBe(0);
    return made;
  }

  it('streams a remote plan to the CLI; -detailed-exitcode says 2; nothing is applied', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('remote-plan');
    const { wd, workspaceId } = await remoteDir(user.token, name);

    const plan = await wd.run(['plan', '-input=false', '-detailed-exitcode', '-var', 'marker=first']);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.stdout).toContain('Running plan in '); // the CLI's remote-run header: it did not plan locally
    expect(plan.stdout).toMatch(/terraform_data\.one will be created/);
    expect(plan.stdout).toMatch(/terraform_data\.three will be created/);
    expect(plan.stdout).toContain('"one-first"'); // the run-level variable reached the remote run
    expect(plan.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');

    const runs = await app.req('GET', `/api/v2/workspaces/${workspaceId}/runs`, { token: user.token });
    expect(runs.status).toBe(200);
    expect(runs.body.data).toHaveLength(1);
    expect(runs.body.data[0].attributes).toMatchObject({ status: 'planned_and_finished', 'has-changes': true });
    const current = await app.req('GET', `/api/v2/workspaces/${workspaceId}/current-state-version`, { token: user.token });
    expect(current.status).toBe(404); // a speculative plan writes no state

    // what the CLI read along the way, as a go-tfe client sees it
    const runId = runs.body.data[0].id;
    const shown = await app.req('GET', `/api/v2/runs/${runId}?include=workspace,plan`, { token: user.token });
    expect(shown.body.included.map((r: any) => [r.type, r.id])).toEqual([['workspaces', workspaceId], ['plans', `plan-${runId.replace(/^run-/, '')}`]]);
    expect(shown.body.included[1].attributes).toMatchObject({ status: 'finished', 'has-changes': true, 'resource-additions': 3 });
    expect((await app.req('GET', `/api/v2/runs/${runId}?include=task_stages`, { token: user.token })).status).toBe(200);
    const json = await app.req('GET', `/api/v2/plans/plan-${runId.replace(/^run-/, '')}/json-output-redacted`, { token: user.token });
    expect(json.body.resource_changes.map((c: any) => [c.address, c.change.actions])).toEqual([
      ['terraform_data.one', ['create']], ['terraform_data.three', ['create']], ['terraform_data.two', ['create']],
    ]);
    const log = new URL(shown.body.included[1].attributes['log-read-url']);
    const whole = await (await fetch(`${log.origin}${log.pathname}?limit=1000000&offset=0`)).text(); // no Authorization: the path is the credential
    expect(whole.startsWith('\u0002')).toBe(true);
    expect(whole.endsWith('\u0003')).toBe(true);
    expect(await (await fetch(`${log.origin}${log.pathname}?limit=5&offset=1`)).text()).toBe(whole.slice(1, 6));
    expect((await fetch(`${log.origin}${log.pathname.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}?limit=5&offset=0`)).status).toBe(404);
    expect((await app.req('GET', '/api/v2/organizations/default/capacity', { token: user.token })).body.data).toMatchObject({ type: 'organization-capacity', attributes: { running: expect.any(Number) } });
    expect((await app.req('GET', `/api/v2/runs/${runId}/run-events`, { token: user.token })).body.data).toEqual([]);
    const discardFinished = await app.req('POST', `/api/v2/runs/${runId}/actions/discard`, { token: user.token, headers: JSONAPI, body: {} });
    expect(discardFinished.status).toBe(409); // a finished speculative plan is no longer discardable
  });

  it('apply waits for the CLI user\'s "yes", then applies into the workspace\'s state; apply -auto-approve applies at once', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('remote-apply');
    const { wd, workspaceId } = await remoteDir(user.token, name);

    const apply = await runAnswering(wd, ['apply', '-var', 'marker=interactive'], /Enter a value:/, 'yes');
    expect(apply.prompted, apply.output).toBe(true);
    expect(apply.code, apply.output).toBe(0);
    expect(apply.stdout).toContain('Do you want to perform these actions in workspace');
    expect(apply.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(apply.stdout).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    expect(apply.stdout).not.toContain('Terraform remote apply (Atlantas)'); // the CLI dropped the apply log's preamble

    const current = await app.req('GET', `/api/v2/workspaces/${workspaceId}/current-state-version`, { token: user.token });
    expect(current.status, current.text).toBe(200);
    expect(current.body.data.attributes.serial).toBe(1);
    const pulled = await wd.run(['state', 'pull']);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ outputs: { marker: { value: 'one-interactive' } } });
    const [run] = (await app.req('GET', `/api/v2/workspaces/${workspaceId}/runs`, { token: user.token })).body.data;
    expect(run.attributes.status).toBe('applied');
    const stored = await app.sql<{ approved_by: string }>('SELECT approved_by FROM runs WHERE id = :id', { id: run.id.replace(/^run-/, '') });
    expect(stored[0].approved_by).toBe(`${user.email} (token test)`); // the CLI user who typed "yes" is the approving human

    // a speculative plan neither waits for nor supersedes a run waiting for confirmation; that one is discarded through the API
    const waiting = await app.req('POST', '/api/v2/runs', { token: user.token, headers: JSONAPI, body: { data: { attributes: { message: 'from the API' }, relationships: { workspace: { data: { id: workspaceId } } } } } });
    expect(waiting.status, waiting.text).toBe(201);
    const [settled] = await app.core.runs.waitForSettled(user.actor, [waiting.body.data.attributes['atlantas-run-id']], 60_000);
    expect(settled.status).toBe('planned');
    const speculative = await wd.run(['plan', '-input=false', '-var', 'marker=interactive']);
    expect(speculative.code, speculative.output).toBe(0);
    expect(speculative.stdout).toContain('No changes.');
    expect((await app.req('GET', `/api/v2/runs/${waiting.body.data.id}`, { token: user.token })).body.data.attributes).toMatchObject({ status: 'planned', actions: { 'is-confirmable': true } });
    expect((await app.req('POST', `/api/v2/runs/${waiting.body.data.id}/actions/discard`, { token: user.token, headers: JSONAPI, body: {} })).status).toBe(202);
    expect((await app.req('GET', `/api/v2/runs/${waiting.body.data.id}`, { token: user.token })).body.data.attributes.status).toBe('discarded');

    // "no" at the prompt discards the run
    const declined = await runAnswering(wd, ['apply', '-var', 'marker=declined'], /Enter a value:/, 'no');
    expect(declined.code, declined.output).toBe(1);
    expect(declined.output).toContain('Apply discarded.');
    const [discarded] = (await app.req('GET', `/api/v2/workspaces/${workspaceId}/runs`, { token: user.token })).body.data;
    expect(discarded.attributes.status).toBe('discarded');

    const again = await wd.run(['apply', '-auto-approve', '-input=false', '-var', 'marker=auto']);
    expect(again.code, again.output).toBe(0);
    expect(again.stdout).toContain('Apply complete! Resources: 0 added, 3 changed, 0 destroyed.');
    const after = await app.req('GET', `/api/v2/workspaces/${workspaceId}/current-state-version`, { token: user.token });
    expect(after.body.data.attributes.serial).toBe(2);
  });

  it('an auto-apply workspace applies a person\'s run without a confirmation; an agent token\'s run still waits for a human', async () => {
    const user = await app.factories.user({ role: 'member' });
    const { wd, workspaceId } = await remoteDir(user.token, uniqueName('remote-auto'), { autoApply: true });
    const cv = await app.req('POST', `/api/v2/workspaces/${workspaceId}/configuration-versions`, { token: user.token, headers: JSONAPI, body: { data: { attributes: { 'auto-queue-runs': false } } } });
    const chunks: Buffer[] = [];
    for await (const c of tarCreate({ gzip: true, cwd: wd.dir, portable: true }, ['main.tf']) as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
    expect((await fetch(cv.body.data.attributes['upload-url'], { method: 'PUT', body: Buffer.concat(chunks) })).status).toBe(200);
    const queue = (token: string, marker: string) => app.req('POST', '/api/v2/runs', {
      token, headers: JSONAPI,
      body: { data: { attributes: { variables: [{ key: 'marker', value: JSON.stringify(marker) }] }, relationships: { workspace: { data: { id: workspaceId } } } } },
    });

    const human = await queue(user.token, 'by-a-person');
    expect(human.status, human.text).toBe(201);
    const [applied] = await app.core.runs.waitForSettled(user.actor, [human.body.data.attributes['atlantas-run-id']], 60_000);
    expect(applied.status, applied.error ?? '').toBe('applied');
    expect(applied.approvedBy).toBe('auto-apply');

    const agent = await app.core.tokens.create(user.actor, { name: 'assistant', scopes: ['mcp:write'] });
    const automated = await queue(agent.rawToken, 'by-an-agent');
    expect(automated.status, automated.text).toBe(201);
    const [waiting] = await app.core.runs.waitForSettled(user.actor, [automated.body.data.attributes['atlantas-run-id']], 60_000);
    expect(waiting.status).toBe('planned');
    const confirm = await app.req('POST', `/api/v2/runs/${automated.body.data.id}/actions/confirm`, { token: agent.rawToken, headers: JSONAPI, body: {} });
    expect(confirm.status).toBe(403);
    expect(confirm.body.errors[0]).toMatchObject({ status: '403', code: 'run.human_approval_required' });
    const byPerson = await app.req('POST', `/api/v2/runs/${automated.body.data.id}/actions/confirm`, { token: user.token, headers: JSONAPI, body: {} });
    expect(byPerson.status).toBe(202);
    const [done] = await app.core.runs.waitForSettled(user.actor, [waiting.id], 60_000);
    expect(done.status, done.error ?? '').toBe('applied');
  });

  it('a run cancelled through the API while terraform runs ends canceled', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('remote-cancel');
    const { wd, workspaceId } = await remoteDir(user.token, name, { slowSeconds: 120 });
    const applying = wd.run(['apply', '-auto-approve', '-input=false']);
    const runningRun = async () => {
      const list = await app.req('GET', `/api/v2/workspaces/${workspaceId}/runs`, { token: user.token });
      return list.body.data.find((r: any) => r.attributes.status === 'applying');
    };
    await expect.poll(runningRun, { timeout: 60_000, interval: 250 }).toBeTruthy();
    const run = await runningRun();
    const applyDoc = await app.req('GET', `/api/v2/runs/${run.id}/apply`, { token: user.token });
    const logUrl = new URL(applyDoc.body.data.attributes['log-read-url']);
    await expect.poll(async () => (await fetch(`${logUrl.origin}${logUrl.pathname}?limit=65536&offset=0`)).text(), { timeout: 60_000, interval: 250 }).toContain('Provisioning with \'local-exec\'');

    const cancel = await app.req('POST', `/api/v2/runs/${run.id}/actions/cancel`, { token: user.token, headers: JSONAPI, body: {} });
    expect(cancel.status, cancel.text).toBe(202);
    const result = await applying;
    expect(result.code, result.output).toBe(1);
    const ended = await app.req('GET', `/api/v2/runs/${run.id}`, { token: user.token });
    expect(ended.body.data.attributes.status).toBe('canceled');
    const retried = await app.req('POST', `/api/v2/runs/${run.id}/actions/retry`, { token: user.token, headers: JSONAPI, body: {} });
    expect(retried.status, retried.text).toBe(201); // an ended run may be retried; its new run is queued
    const discard = await app.req('POST', `/api/v2/runs/${retried.body.data.id}/actions/cancel`, { token: user.token, headers: JSONAPI, body: {} });
    expect(discard.status).toBe(202);
  });

  it('a configuration version\'s upload URL works once, without auth, and refuses a hostile archive, writing nothing outside', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('remote-upload');
    const { workspaceId } = await remoteDir(user.token, name);
    const createCv = async () => {
      const res = await app.req('POST', `/api/v2/workspaces/${workspaceId}/configuration-versions`, {
        token: user.token, headers: JSONAPI, body: { data: { type: 'configuration-versions', attributes: { 'auto-queue-runs': false } } },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body.data.attributes).toMatchObject({ status: 'pending', 'auto-queue-runs': false });
      return res.body.data as { id: string; attributes: { 'upload-url': string } };
    };
    const put = (url: string, body: Buffer) => fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body });
    const src = await mkdtemp(path.join(os.tmpdir(), 'atlantas-cv-'));
    onTestFinished(() => rm(src, { recursive: true, force: true }));
    const pack = async (files: string[], opts: { preservePaths?: boolean } = {}) => {
      const chunks: Buffer[] = [];
      const stream = tarCreate({ gzip: true, cwd: src, portable: true, preservePaths: opts.preservePaths }, files);
      for await (const c of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
      return Buffer.concat(chunks);
    };

    // a good one, once; the second PUT of the same URL is refused
    await writeFile(path.join(src, 'main.tf'), 'resource "terraform_data" "x" {}\n');
    const good = await pack(['main.tf']);
    const cv = await createCv();
    expect(new URL(cv.attributes['upload-url']).pathname).toMatch(new RegExp(`^/api/v2/configuration-versions/${cv.id}/upload/[A-Za-z0-9_-]{40,}$`));
    expect((await put(cv.attributes['upload-url'], good)).status).toBe(200);
    const shown = await app.req('GET', `/api/v2/configuration-versions/${cv.id}`, { token: user.token });
    expect(shown.body.data.attributes).toMatchObject({ status: 'uploaded', 'upload-url': null });
    expect((await put(cv.attributes['upload-url'], good)).status).toBe(404);
    const stored = await app.sql<{ archive_sealed: Buffer }>('SELECT archive_sealed FROM tfe_configuration_versions WHERE id = :id', { id: cv.id });
    expect(stored[0].archive_sealed.includes(Buffer.from('terraform_data'))).toBe(false); // sealed at rest
    expect(stored[0].archive_sealed.equals(good)).toBe(false);

    // a link to /etc/passwd
    await symlink('/etc/passwd', path.join(src, 'passwd.tf'));
    const linked = await createCv();
    const refusedLink = await put(linked.attributes['upload-url'], await pack(['main.tf', 'passwd.tf']));
    expect(refusedLink.status).toBe(400);
    expect(((await refusedLink.json()) as any).errors[0].detail).toMatch(/configuration archive refused: "passwd.tf" is a link to an absolute path/);
    const errored = await app.req('GET', `/api/v2/configuration-versions/${linked.id}`, { token: user.token });
    expect(errored.body.data.attributes.status).toBe('errored');

    // a ../ path
    const outsideName = `atlantas-escape-${randomBytes(4).toString('hex')}.tf`;
    await mkdir(path.join(src, 'sub'));
    await writeFile(path.join(src, outsideName), 'escaped\n');
    const dotdot = await createCv();
    const archive = await (async () => {
      const chunks: Buffer[] = [];
      const stream = tarCreate({ gzip: true, cwd: path.join(src, 'sub'), portable: true, preservePaths: true }, [`../${outsideName}`]);
      for await (const c of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
      return Buffer.concat(chunks);
    })();
    const refusedDotdot = await put(dotdot.attributes['upload-url'], archive);
    expect(refusedDotdot.status).toBe(400);
    expect(((await refusedDotdot.json()) as any).errors[0].detail).toMatch(/leads out of the configuration/);
    // a run cannot be queued from a refused configuration, and nothing was written beside the data dir
    const run = await app.req('POST', '/api/v2/runs', {
      token: user.token, headers: JSONAPI,
      body: { data: { attributes: {}, relationships: { workspace: { data: { id: workspaceId } }, 'configuration-version': { data: { id: dotdot.id } } } } },
    });
    expect(run.status).toBe(400);
    await expect(stat(path.join(app.config.dataDir, '..', outsideName))).rejects.toThrow();
    await expect(stat(path.join(app.config.dataDir, 'runs', '..', outsideName))).rejects.toThrow();
    expect(await readFile(path.join(src, outsideName), 'utf8')).toBe('escaped\n');

    // a garbage body
    const garbage = await createCv();
    expect((await put(garbage.attributes['upload-url'], Buffer.from('not a tarball'))).status).toBe(400);
  });

  it('run triggers: validated, listed by direction; an upstream apply queues a run downstream from its latest configuration; run updates stream as SSE', async () => {
    const user = await app.factories.user({ role: 'member' });
    const up = await remoteDir(user.token, uniqueName('upstream'));
    const down = await remoteDir(user.token, uniqueName('downstream'));
    // the downstream's configuration, uploaded without a run (a speculative plan's would not count)
    const cv = await app.req('POST', `/api/v2/workspaces/${down.workspaceId}/configuration-versions`, { token: user.token, headers: JSONAPI, body: { data: { attributes: { 'auto-queue-runs': false } } } });
    const chunks: Buffer[] = [];
    for await (const c of tarCreate({ gzip: true, cwd: down.wd.dir, portable: true }, ['main.tf']) as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
    expect((await fetch(cv.body.data.attributes['upload-url'], { method: 'PUT', body: Buffer.concat(chunks) })).status).toBe(200);
    expect((await app.req('GET', `/api/v2/workspaces/${down.workspaceId}/runs`, { token: user.token })).body.data).toEqual([]);
    const trigger = (sourceId: string, on = down.workspaceId) => app.req('POST', `/api/v2/workspaces/${on}/run-triggers`, {
      token: user.token, headers: JSONAPI, body: { data: { relationships: { sourceable: { data: { id: sourceId, type: 'workspaces' } } } } },
    });

    const self = await trigger(down.workspaceId);
    expect(self.status).toBe(400);
    expect(self.body.errors[0].detail).toMatch(/cannot trigger its own runs/);
    const created = await trigger(up.workspaceId);
    expect(created.status, created.text).toBe(201);
    expect(created.body.data).toMatchObject({ type: 'run-triggers', relationships: { sourceable: { data: { id: up.workspaceId } }, workspace: { data: { id: down.workspaceId } } } });
    expect((await trigger(up.workspaceId)).status).toBe(400); // no duplicate
    expect((await app.req('GET', `/api/v2/workspaces/${down.workspaceId}/run-triggers`, { token: user.token })).status).toBe(400); // the filter is required
    const inbound = await app.req('GET', `/api/v2/workspaces/${down.workspaceId}/run-triggers?filter%5Brun-trigger%5D%5Btype%5D=inbound`, { token: user.token });
    expect(inbound.body.data.map((t: any) => t.id)).toEqual([created.body.data.id]);
    const outbound = await app.req('GET', `/api/v2/workspaces/${up.workspaceId}/run-triggers?filter%5Brun-trigger%5D%5Btype%5D=outbound`, { token: user.token });
    expect(outbound.body.data.map((t: any) => t.id)).toEqual([created.body.data.id]);
    expect((await app.req('GET', `/api/v2/run-triggers/${created.body.data.id}`, { token: user.token })).status).toBe(200);

    // live run updates of the downstream workspace, read as the CLI-less client would
    const sse = new AbortController();
    onTestFinished(() => sse.abort());
    const events = await fetch(`${app.url}/api/v2/workspaces/${down.workspaceId}/runs/events`, { headers: { authorization: `Bearer ${user.token}` }, signal: sse.signal });
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = events.body!.getReader();
    let streamed = '';
    const sawPlanned = (async () => {
      while (!/event: run_update\ndata: .*"status":"planned"/.test(streamed)) {
        const { value, done } = await reader.read();
        if (done) break;
        streamed += new TextDecoder().decode(value);
      }
      return streamed;
    })();

    const apply = await up.wd.run(['apply', '-auto-approve', '-input=false']);
    expect(apply.code, apply.output).toBe(0);
    // the downstream run: queued by the trigger (an automated actor), it plans and waits for a person to confirm
    expect(await sawPlanned).toMatch(/"trigger-reason":"run-trigger"/);
    const downstream = (await app.req('GET', `/api/v2/workspaces/${down.workspaceId}/runs`, { token: user.token })).body.data;
    expect(downstream[0].attributes).toMatchObject({ status: 'planned', 'trigger-reason': 'run-trigger', message: expect.stringMatching(/^Triggered by run run-/) });
    expect(downstream[0].attributes.actions['is-confirmable']).toBe(true);
    const confirmed = await app.req('POST', `/api/v2/runs/${downstream[0].id}/actions/confirm`, { token: user.token, headers: JSONAPI, body: {} });
    expect(confirmed.status, confirmed.text).toBe(202);

    expect((await app.req('DELETE', `/api/v2/run-triggers/${created.body.data.id}`, { token: user.token })).status).toBe(204);
    expect((await app.req('GET', `/api/v2/run-triggers/${created.body.data.id}`, { token: user.token })).status).toBe(404);
  });

  it('another organization (tenant) cannot see or use the workspace, its runs or its configuration versions (404)', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('remote-tenant');
    const { wd, workspaceId } = await remoteDir(user.token, name);
    const plan = await wd.run(['plan', '-input=false']);
    expect(plan.code, plan.output).toBe(0);
    const [run] = (await app.req('GET', `/api/v2/workspaces/${workspaceId}/runs`, { token: user.token })).body.data;
    const cvId = run.relationships['configuration-version'].data.id;

    const other = await app.factories.tenant();
    const token = other.adminToken;
    const paths: [string, string, unknown?][] = [
      ['GET', `/api/v2/workspaces/${workspaceId}/runs`],
      ['GET', `/api/v2/runs/${run.id}`],
      ['GET', `/api/v2/plans/plan-${run.id.replace(/^run-/, '')}`],
      ['GET', `/api/v2/applies/apply-${run.id.replace(/^run-/, '')}`],
      ['GET', `/api/v2/configuration-versions/${cvId}`],
      ['GET', `/api/v2/workspaces/${workspaceId}/configuration-versions`],
      ['POST', `/api/v2/workspaces/${workspaceId}/configuration-versions`, { data: { attributes: {} } }],
      ['POST', '/api/v2/runs', { data: { attributes: {}, relationships: { workspace: { data: { id: workspaceId } } } } }],
      ['POST', `/api/v2/runs/${run.id}/actions/cancel`, {}],
      ['POST', `/api/v2/runs/${run.id}/actions/apply`, {}],
      ['GET', `/api/v2/organizations/default/runs/queue`],
      ['GET', `/api/v2/organizations/default/capacity`],
      ['GET', `/api/v2/workspaces/${workspaceId}/run-triggers?filter%5Brun-trigger%5D%5Btype%5D=inbound`],
    ];
    for (const [method, p, body] of paths) {
      const res = await app.req(method, p, { token, headers: JSONAPI, body });
      expect(res.status, `${method} ${p}: ${res.text}`).toBe(404);
      expect(res.body.errors[0]).toMatchObject({ status: '404', title: 'not found' });
    }
  });
});
