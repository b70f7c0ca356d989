import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createBareRepo, insteadOfEnv } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp } from '../harness/start-app.js';

/**
 * A provider binary in the plugin cache is executed by every run that uses it, so a cache shared
 * across tenants would let one tenant's run plant code in another's. Each tenant's runs see and
 * write only their own cache directory.
 */
/** Markers are split in the script (terraform prints the command it runs), so the log holds them only as output. */
function planter(root: string, otherTenant: string): string {
  return `resource "terraform_data" "plant" {
  provisioner "local-exec" {
    command = <<-EOT
      echo "cache=$TF_PLUGIN_CACHE_DIR"
      echo planted > "$TF_PLUGIN_CACHE_DIR/own-marker" && echo "own=wri""tten"
      (echo planted > '${root}/root-marker') 2>/dev/null || true
      (mkdir -p '${root}/${otherTenant}' && echo planted > '${root}/${otherTenant}/foreign-marker') 2>/dev/null || true
    EOT
  }
}
`;
}

describe('the provider plugin cache', () => {
  it('is one directory per tenant: a run writes its own and cannot reach the cache root or another tenant\'s', { timeout: 120_000 }, async () => {
    const repo = await createBareRepo({ owner: 'acme', name: 'cache' });
    onTestFinished(() => repo.cleanup());
    const app = await startTestApp({ childEnv: insteadOfEnv(repo.root) });
    onTestFinished(() => app.close());
    const root = path.resolve(app.config.dataDir, 'plugin-cache');
    const mine = await app.factories.defaultTenantId();
    const team = await app.factories.tenant();
    await repo.commitFiles({ 'app/main.tf': planter(root, team.id) }, 'plants into the plugin cache');

    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', repo: 'acme/cache', branch: 'main', dir: 'app' } });
    expect(created.status, created.text).toBe(201);
    expect((await waitForRun(app, created.body.id)).status).toBe('planned');
    expect((await app.req('POST', `/api/v1/runs/${created.body.id}/approve`, { token: app.admin.token })).status).toBe(200);
    const applied = await waitForRun(app, created.body.id, (s) => ['applied', 'errored'].includes(s));
    expect(applied.status, applied.log).toBe('applied');

    expect(applied.log).toContain(`cache=${path.join(root, mine)}`);
    expect(applied.log).toContain('own=written');
    // Outside its binds the sandbox writes only into its own throwaway /tmp: nothing reaches the host's cache.
    expect(existsSync(path.join(root, mine, 'own-marker'))).toBe(true);
    expect(existsSync(path.join(root, 'root-marker'))).toBe(false);
    expect(existsSync(path.join(root, team.id, 'foreign-marker'))).toBe(false);
    expect((await readdir(root)).sort()).toEqual([mine]);
  });
});
