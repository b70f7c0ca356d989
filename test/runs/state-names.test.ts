import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyDerivedStateName } from '../../migrations/2026-12-01T010-unambiguous-state-names.js';
import { createBareRepo, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

/**
 * State names derived from repo, dir and project are injective: projects whose first-form names
 * collided (`acme/infra.prod` + `vpc` and `acme/infra` + `prod.vpc`; dirs `prod/vpc` and
 * `prod-vpc`) are applied with real terraform into different states. A state written under the
 * first form before the upgrade is renamed by the migration, and the project's next plan sees it.
 */
const MIGRATION = '2026-12-01T010-unambiguous-state-names';
const PROJECTS = [
  { repo: 'acme/infra.prod', dir: 'vpc', value: 'prod-repo-vpc' },
  { repo: 'acme/infra', dir: 'prod.vpc', value: 'dotted-dir' },
  { repo: 'acme/infra', dir: 'prod/vpc', value: 'nested-dir' },
  { repo: 'acme/infra', dir: 'prod-vpc', value: 'dashed-dir' },
];

describe('derived state names do not collide, and old names survive the upgrade', () => {
  let app: TestApp;
  let prodRepo: BareRepo;
  let infraRepo: BareRepo;
  const applied = new Map<string, string>(); // dir of PROJECTS → state name its apply used

  const runOf = async (command: 'plan' | 'apply', p: (typeof PROJECTS)[number]) => {
    const res = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command, repo: p.repo, branch: 'main', dir: p.dir } });
    expect(res.status, res.text).toBe(201);
    return waitForRun(app, res.body.id);
  };
  const stateText = async (name: string) => (await app.req('GET', `/api/v1/tfstate/${name}/default`, { token: app.admin.token })).text;

  beforeAll(async () => {
    prodRepo = await createBareRepo({ owner: 'acme', name: 'infra.prod' });
    infraRepo = await createBareRepo({ owner: 'acme', name: 'infra' });
    await prodRepo.commitFiles({ 'vpc/main.tf': tfData(1, PROJECTS[0].value) }, 'one project');
    await infraRepo.commitFiles(Object.fromEntries(PROJECTS.slice(1).map((p) => [`${p.dir}/main.tf`, tfData(1, p.value)])), 'three projects');
    // The longest insteadOf prefix wins: acme/infra.prod from its own bare repo, the rest from the other.
    const childEnv = {
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: `url.file://${prodRepo.root}/acme/infra.prod.git.insteadOf`,
      GIT_CONFIG_VALUE_0: 'https://github.com/acme/infra.prod.git',
      GIT_CONFIG_KEY_1: `url.file://${infraRepo.root}/.insteadOf`,
      GIT_CONFIG_VALUE_1: 'https://github.com/',
    };
    app = await startTestApp({ childEnv });
  });
  afterAll(async () => {
    await app?.close();
    await prodRepo?.cleanup();
    await infraRepo?.cleanup();
  });

  it('applies each of the four projects, through POST /api/v1/runs and approve, into its own state', async () => {
    for (const p of PROJECTS) {
      const planned = await runOf('apply', p);
      expect(planned, planned.log).toMatchObject({ status: 'planned', has_changes: true, resources_added: 1 });
      expect((await app.req('POST', `/api/v1/runs/${planned.id}/approve`, { token: app.admin.token })).status).toBe(200);
      const done = await waitForRun(app, planned.id, (s) => ['applied', 'errored'].includes(s));
      expect(done.status, done.log).toBe('applied');
      applied.set(p.dir, done.state_name);
    }
    expect(new Set(applied.values()).size).toBe(4);
    for (const p of PROJECTS) expect(await stateText(applied.get(p.dir)!)).toContain(`"value": "${p.value}"`);
    const states = (await app.req('GET', '/api/v1/states', { token: app.admin.token })).body;
    expect(states.map((s: { name: string }) => s.name).sort()).toEqual([...applied.values()].sort());
    // Each project planned again finds its own state: nothing to do.
    for (const p of PROJECTS) expect(await runOf('plan', p)).toMatchObject({ status: 'planned_and_finished', has_changes: false });
  });

  it('after the upgrade, finds a state written under the old name: the plan reports no changes', async () => {
    const p = PROJECTS[3];
    const current = applied.get(p.dir)!;
    const old = legacyDerivedStateName(p.repo, p.dir, '');
    expect(old).toBe('acme.infra.prod-vpc');
    // The world before the upgrade: the state lives under the old name, and the runs recorded it.
    const body = await stateText(current);
    expect((await app.req('DELETE', `/api/v1/tfstate/${current}/default`, { token: app.admin.token })).status).toBe(204);
    const write = await app.req('POST', `/api/v1/tfstate/${old}/default`, { token: app.admin.token, rawBody: body, headers: { 'content-type': 'application/json' } });
    expect(write.status).toBe(200);
    await app.sql('UPDATE runs SET state_name = :old WHERE state_name = :current', { old, current });
    // A state two colliding projects shared under the old form: whose it is cannot be told, it stays.
    const shared = legacyDerivedStateName('acme/infra', 'prod.vpc', '');
    expect(shared).toBe(legacyDerivedStateName('acme/infra.prod', 'vpc', ''));
    expect((await app.req('POST', `/api/v1/tfstate/${shared}/default`, { token: app.admin.token, rawBody: body, headers: { 'content-type': 'application/json' } })).status).toBe(200);
    await app.sql("UPDATE runs SET state_name = :shared WHERE operation = 'plan' AND dir IN ('vpc', 'prod.vpc')", { shared });
    await app.sql('DELETE FROM schema_migrations WHERE name = :name', { name: MIGRATION });

    app = await app.restart(); // runs the migration again, as an upgrade does

    const names = (await app.req('GET', '/api/v1/states', { token: app.admin.token })).body.map((s: { name: string }) => s.name);
    expect(names).toContain(current);
    expect(names).not.toContain(old);
    expect(names).toContain(shared);
    expect(await app.sql('SELECT id FROM runs WHERE state_name = :old', { old })).toEqual([]);
    expect(await stateText(current)).toContain(`"value": "${p.value}"`);
    const plan = await runOf('plan', p);
    expect(plan, plan.log).toMatchObject({ status: 'planned_and_finished', has_changes: false, state_name: current });
  });
});
