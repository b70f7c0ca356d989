/**
 * Remote runner: what the HTTP job protocol costs a run. The wall time of `POST /api/plan` of the
 * same small project on two servers started side by side — one executing in-process, one with
 * ATLANTAS_WORKERS=false and an `atlantas runner` (the RemoteRunner class, in this process) of
 * its tenant's default pool — requests interleaved. Both unsandboxed, so that only the transport
 * differs (the sandbox has its own section). Reported as p50s and the remote/in-process ratio.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/logger.js';
import { RemoteRunner } from '../src/runner/remote-runner.js';
import { VERSION } from '../src/version.js';
import { createBareRepo, insteadOfEnv } from '../test/harness/git-repo.js';
import { startTestApp, type TestApp } from '../test/harness/start-app.js';
import { tfData } from '../test/harness/tf-files.js';
import { alternate, atlantisPlan, table, timed } from './support.js';

const ITERATIONS = Number(process.env.BENCH_RUNNER_ITERATIONS ?? 10);
const SECRET = 'bench-runner-secret';

export async function run(): Promise<string> {
  const repo = await createBareRepo({ owner: 'bench', name: 'runner' });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-runner-'));
  const apps: TestApp[] = [];
  let runner: RemoteRunner | undefined;
  let runnerDone: Promise<void> | undefined;
  try {
    await repo.commitFiles({ 'small/main.tf': tfData(3) }, 'one small project');
    const env = { LOG_LEVEL: 'warn', ATLANTAS_API_SECRET: SECRET, ATLANTAS_RATE_LIMIT: '0', ATLANTAS_SANDBOX: 'off' };
    const local = await startTestApp({ env, childEnv: insteadOfEnv(repo.root) });
    apps.push(local);
    const remote = await startTestApp({ env: { ...env, ATLANTAS_WORKERS: 'false' }, childEnv: insteadOfEnv(repo.root) });
    apps.push(remote);
    const pool = await remote.req('POST', '/api/v1/runner-pools', { token: remote.admin.token, body: { name: 'bench', tenant_default: true } });
    if (pool.status !== 201) throw new Error(`creating a runner pool failed: ${pool.status} ${pool.text}`);
    const issued = await remote.req('POST', `/api/v1/runner-pools/${pool.body.id}/tokens`, { token: remote.admin.token, body: { name: 'bench' } });
    if (issued.status !== 201) throw new Error(`issuing a runner token failed: ${issued.status} ${issued.text}`);
    runner = new RemoteRunner({
      serverUrl: remote.url, token: issued.body.token, name: 'bench', version: VERSION, parallelism: 1, dataDir,
      terraformBinary: process.env.ATLANTAS_TF_BINARY || 'terraform', cancelGraceMs: 10_000, log: createLogger({ level: 'warn' }),
      childEnv: { ...process.env, ...insteadOfEnv(repo.root) },
    });
    runnerDone = runner.run();
    const [a, b] = await alternate(() => timed(() => atlantisPlan(local, SECRET, 'bench/runner')), () => timed(() => atlantisPlan(remote, SECRET, 'bench/runner')), ITERATIONS);
    return table(['what', 'in-process p50 ms', 'remote runner p50 ms', 'ratio'], [['POST /api/plan (whole run)', a.toFixed(0), b.toFixed(0), (b / a).toFixed(2)]]);
  } finally {
    runner?.stop();
    await runnerDone?.catch(() => undefined);
    for (const app of apps) await app.close();
    await rm(dataDir, { recursive: true, force: true });
    await repo.cleanup();
  }
}


