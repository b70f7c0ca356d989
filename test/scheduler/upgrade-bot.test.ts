import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../harness/fake-github.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/**
 * upgrade_bot against a Terraform registry on loopback (the provider-versions API and a releases
 * list, in their wire formats) and the fake GitHub backed by a real bare repository: one pull
 * request with the bumps, on a real branch commit; none again while it is open.
 */
const REPO = 'acme/infra';
const HOUR = 3_600_000;

const NETWORK_TF = `terraform {
  required_version = "~> 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 4.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.0"
    }
  }
}

resource "terraform_data" "net" {
  input = "v1"
}
`;
const APP_TF = `terraform {
  required_version = "= 1.9.0"
}
`;

/** A registry and a releases endpoint on loopback, recording what was asked. */
async function startFakeRegistry() {
  const asked: string[] = [];
  const versions: Record<string, string[]> = {
    'hashicorp/aws': ['4.67.0', '5.30.0', '5.31.0', '6.0.0-beta1'],
    'hashicorp/random': ['3.5.1', '3.6.0'],
  };
  const server = http.createServer((req, res) => {
    asked.push(req.url ?? '');
    const provider = /^\/v1\/providers\/([^/]+)\/([^/]+)\/versions$/.exec(req.url ?? '');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (provider && versions[`${provider[1]}/${provider[2]}`]) {
      return send(200, { id: `${provider[1]}/${provider[2]}`, versions: versions[`${provider[1]}/${provider[2]}`].map((version) => ({ version, protocols: ['5.0'], platforms: [] })), warnings: null });
    }
    if (req.url === '/v1/releases/terraform') {
      return send(200, [{ name: 'terraform', version: '1.12.0-alpha20250101', is_prerelease: true }, { name: 'terraform', version: '1.11.4', is_prerelease: false }, { name: 'terraform', version: '1.10.5', is_prerelease: false }]);
    }
    send(404, { errors: ['Not Found'] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, asked, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('upgrade_bot', () => {
  let gh: FakeGitHub;
  let repo: BareRepo;
  let registry: Awaited<ReturnType<typeof startFakeRegistry>>;
  let app: TestApp;
  let now = Date.now();
  const clock = { now: () => new Date(now) };

  beforeAll(async () => {
    gh = await startFakeGitHub();
    repo = await createBareRepo({ owner: 'acme', name: 'infra' });
    gh.addRepo(REPO, { gitDir: repo.path });
    await repo.commitFiles({ 'network/main.tf': NETWORK_TF, 'app/versions.tf': APP_TF, 'README.md': '# infra\n' }, 'base');
    registry = await startFakeRegistry();
    app = await startTestApp({
      env: { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_SCHEDULER_TICK: '1h' },
      childEnv: insteadOfEnv(repo.root, `${gh.url}/`),
      agentClock: clock,
    });
  });
  afterAll(async () => {
    await app?.close();
    await gh?.close();
    await registry?.close();
    await repo?.cleanup();
  });

  const tick = async () => {
    await app.scheduler.tick();
    await app.scheduler.idle();
  };

  it('opens exactly one pull request with the version bumps, and not a second one on the next tick', async () => {
    for (const [name, dir] of [['network', 'network'], ['app', 'app']]) {
      const res = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name, repository_url: `https://github.com/${REPO}`, terraform_path: dir } });
      expect(res.status, res.text).toBe(201);
    }
    const agent = await app.req('POST', '/api/v1/agents', {
      token: app.admin.token,
      body: { name: 'upgrades', agent_type: 'upgrade_bot', schedule: '0 * * * *', config: { registry_url: registry.url, releases_url: `${registry.url}/v1/releases/terraform` } },
    });
    expect(agent.status, agent.text).toBe(201);
    const mainBefore = (await repo.git('rev-parse', 'refs/heads/main')).trim();

    now += HOUR;
    await tick();
    const [first] = (await app.req('GET', `/api/v1/agents/${agent.body.id}/executions`, { token: app.admin.token })).body;
    expect(first.status, JSON.stringify(first)).toBe('succeeded');
    const pulls = gh.pulls(REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ number: 1, state: 'open', headRef: 'atlantas/upgrade-bot', baseRef: 'main', baseSha: mainBefore, title: 'Upgrade Terraform and provider versions' });
    expect(pulls[0].body).toContain('| `network/main.tf` | `hashicorp/aws` | `~> 4.0` | `~> 5.31` | 5.31.0 |');
    expect(pulls[0].body).toContain('| `network/main.tf` | terraform | `~> 1.5.0` | `~> 1.11.4` | 1.11.4 |');
    expect(pulls[0].body).toContain('| `app/versions.tf` | terraform | `= 1.9.0` | `= 1.11.4` | 1.11.4 |');
    expect(pulls[0].body).not.toContain('random'); // ">= 3.0" already allows 3.6.0

    // One real commit on the branch, on top of main, changing exactly the two files, formatting kept.
    const head = (await repo.git('rev-parse', 'refs/heads/atlantas/upgrade-bot')).trim();
    expect(pulls[0].headSha).toBe(head);
    expect((await repo.git('rev-parse', `${head}^`)).trim()).toBe(mainBefore);
    expect((await repo.git('diff', '--name-only', mainBefore, head)).trim().split('\n').sort()).toEqual(['app/versions.tf', 'network/main.tf']);
    const network = await repo.git('show', `${head}:network/main.tf`);
    expect(network).toBe(NETWORK_TF.replace('"~> 1.5.0"', '"~> 1.11.4"').replace('"~> 4.0"', '"~> 5.31"'));
    expect(first.findings).toEqual([expect.objectContaining({ kind: 'upgrade.pull_request_opened', details: expect.objectContaining({ number: 1 }) })]);
    expect(registry.asked).toEqual(expect.arrayContaining(['/v1/providers/hashicorp/aws/versions', '/v1/releases/terraform']));

    now += HOUR;
    await tick();
    expect(gh.pulls(REPO)).toHaveLength(1);
    expect(gh.callsTo('POST', `/repos/${REPO}/pulls`)).toHaveLength(1);
    const [second] = (await app.req('GET', `/api/v1/agents/${agent.body.id}/executions`, { token: app.admin.token })).body;
    expect(second.scheduled_for).not.toBe(first.scheduled_for);
    expect(second.findings).toEqual([expect.objectContaining({ kind: 'upgrade.pull_request_open', message: `${REPO}: upgrade pull request #1 is still open` })]);
  });

  it('records an execution still waiting at shutdown as interrupted, not running for ever', async () => {
    let asked = 0;
    const hanging = http.createServer(() => void asked++); // accepts, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      const agent = await app.req('POST', '/api/v1/agents', {
        token: app.admin.token,
        body: { name: 'stuck', agent_type: 'upgrade_bot', schedule: '0 0 * * *', config: { registry_url: url, releases_url: `${url}/releases`, branch: 'atlantas/stuck' } },
      });
      expect((await app.req('POST', `/api/v1/agents/${agent.body.id}/trigger`, { token: app.admin.token })).status).toBe(202);
      await expect.poll(() => asked, { timeout: 20_000 }).toBeGreaterThan(0);
      app = await app.restart(); // graceful: waits ATLANTAS_SHUTDOWN_TIMEOUT (5 s here), then gives up on the execution
      const [execution] = (await app.req('GET', `/api/v1/agents/${agent.body.id}/executions`, { token: app.admin.token })).body;
      expect(execution).toMatchObject({ status: 'failed', error: 'interrupted: the server stopped before the execution finished' });
      expect(execution.finished_at).not.toBeNull();
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});
