import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createBareRepo, insteadOfEnv } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

/** Markers are split in the script (terraform prints the command it runs), so the log holds them only as output. */
/**
 * A working copy is reused by the next run of its PR or branch, and git runs in it outside the
 * sandbox: a hook or a config line planted in its `.git` would run on the server. Under the
 * sandbox the run sees `.git` read-only.
 */
const POISON = `resource "terraform_data" "poison" {
  provisioner "local-exec" {
    command = <<-EOT
      (printf '#!/bin/sh\\ntouch /tmp/atlantas-hook-ran\\n' > ../.git/hooks/post-checkout && chmod +x ../.git/hooks/post-checkout && echo "hook=wri""tten") 2>/dev/null || echo "hook=ref""used"
      (printf '[core]\\n\\tfsmonitor = touch /tmp/atlantas-fsmonitor-ran\\n' >> ../.git/config && echo "config=wri""tten") 2>/dev/null || echo "config=ref""used"
      (rm -rf ../.git/objects && echo "objects=rem""oved") 2>/dev/null || echo "objects=ref""used"
    EOT
  }
}
`;

describe('the working copy\'s .git under the sandbox', () => {
  it('is read-only for the run: its hooks, config and objects stay what git made, and the next run checks out normally', { timeout: 120_000 }, async () => {
    const repo = await createBareRepo({ owner: 'acme', name: 'poison' });
    onTestFinished(() => repo.cleanup());
    await repo.commitFiles({ 'app/main.tf': POISON }, 'tries to poison the checkout');
    const app = await startTestApp({ childEnv: insteadOfEnv(repo.root) });
    onTestFinished(() => app.close());

    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', repo: 'acme/poison', branch: 'main', dir: 'app' } });
    expect(created.status, created.text).toBe(201);
    expect((await waitForRun(app, created.body.id)).status).toBe('planned');
    expect((await app.req('POST', `/api/v1/runs/${created.body.id}/approve`, { token: app.admin.token })).status).toBe(200);
    const applied = await waitForRun(app, created.body.id, (s) => ['applied', 'errored'].includes(s));
    expect(applied.status, applied.log).toBe('applied');
    expect(applied.log).toContain('hook=refused');
    expect(applied.log).toContain('config=refused');
    expect(applied.log).toContain('objects=refused');

    const [copy] = (await app.sql('SELECT tenant_id FROM runs WHERE id = :id', { id: created.body.id })) as { tenant_id: string }[];
    const gitDir = path.join(app.config.dataDir, 'repos', copy.tenant_id, 'acme', 'poison', 'ref-main', 'default', '.git');
    expect(existsSync(path.join(gitDir, 'HEAD'))).toBe(true);
    expect(existsSync(path.join(gitDir, 'hooks', 'post-checkout'))).toBe(false);
    expect(await readFile(path.join(gitDir, 'config'), 'utf8')).not.toContain('fsmonitor');

    await repo.commitFiles({ 'app/main.tf': tfData(1) }, 'a clean commit');
    const next = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'plan', repo: 'acme/poison', branch: 'main', dir: 'app' } });
    const planned = await waitForRun(app, next.body.id);
    expect(planned.status, planned.log).toBe('planned_and_finished');
    expect(planned.summary).toBe('Plan: 1 to add, 0 to change, 1 to destroy.');
  });
});
