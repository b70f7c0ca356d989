/**
 * Sandbox: what bubblewrap costs a run. (a) `terraform plan` of a small project through the
 * process runner, under bwrap and bare, interleaved in the same directory; (b) the wall time of
 * the Atlantis-compatible `POST /api/plan` of the same project on two servers started side by
 * side, ATLANTAS_SANDBOX=auto (bwrap) and off, requests interleaved. Reported as p50s and the
 * sandboxed/unsandboxed ratio.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/logger.js';
import { ProcessTerraformRunner } from '../src/core/terraform/process-terraform-runner.js';
import { probeSandbox } from '../src/core/terraform/sandbox-probe.js';
import type { TerraformRunner } from '../src/core/terraform/terraform-runner.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../test/harness/git-repo.js';
import { startTestApp, type TestApp } from '../test/harness/start-app.js';
import { tfData } from '../test/harness/tf-files.js';
import { alternate, atlantisPlan, table, timed } from './support.js';

const ITERATIONS = Number(process.env.BENCH_SANDBOX_ITERATIONS ?? 10);
const SECRET = 'bench-sandbox-secret';
const SMALL = tfData(3);

export async function run(): Promise<string> {
  const log = createLogger({ level: 'warn' });
  const profile = (await probeSandbox('bwrap', process.env, log)).profile;
  const processRows = await processPlans(profile, log);
  const apiRows = await apiPlans();
  return table(['what', 'bare p50 ms', 'bwrap p50 ms', 'ratio'], [processRows, apiRows].map(([what, bare, boxed]) => [
    what as string, (bare as number).toFixed(0), (boxed as number).toFixed(0), ((boxed as number) / (bare as number)).toFixed(2),
  ]));
}

/** (a) `terraform plan` alone, same dir, alternating sandboxed and bare. */
async function processPlans(profile: Awaited<ReturnType<typeof probeSandbox>>['profile'], log: ReturnType<typeof createLogger>): Promise<[string, number, number]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-sandbox-'));
  try {
    await writeFile(path.join(dir, 'main.tf'), SMALL);
    const common = { binary: process.env.ATLANTAS_TF_BINARY || 'terraform', cancelGraceMs: 10_000, log };
    const bare = new ProcessTerraformRunner(common);
    const boxed = new ProcessTerraformRunner({ ...common, sandbox: profile });
    const plan = (r: TerraformRunner) => timed(async () => {
      const res = await r.run({ args: ['plan', '-input=false', '-no-color', '-lock=false'], cwd: dir, writableDirs: [dir] });
      if (res.exitCode !== 0) throw new Error(`terraform plan failed: ${res.combined}`);
    });
    const init = await bare.run({ args: ['init', '-input=false', '-no-color'], cwd: dir });
    if (init.exitCode !== 0) throw new Error(`terraform init failed: ${init.combined}`);
    const [a, b] = await alternate(() => plan(bare), () => plan(boxed), ITERATIONS);
    return ['terraform plan (process only)', a, b];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** (b) POST /api/plan end to end, on a sandboxed and an unsandboxed server, alternating. */
async function apiPlans(): Promise<[string, number, number]> {
  const repo = await createBareRepo({ owner: 'bench', name: 'sandbox' });
  const apps: TestApp[] = [];
  try {
    await repo.commitFiles({ 'small/main.tf': SMALL }, 'one small project');
    for (const sandbox of ['off', 'auto']) apps.push(await server(repo, sandbox));
    const [off, on] = apps;
    const [a, b] = await alternate(() => timed(() => atlantisPlan(off, SECRET, 'bench/sandbox')), () => timed(() => atlantisPlan(on, SECRET, 'bench/sandbox')), ITERATIONS);
    return ['POST /api/plan (whole run)', a, b];
  } finally {
    for (const app of apps) await app.close();
    await repo.cleanup();
  }
}

async function server(repo: BareRepo, sandbox: string): Promise<TestApp> {
  const app = await startTestApp({ env: { LOG_LEVEL: 'warn', ATLANTAS_API_SECRET: SECRET, ATLANTAS_RATE_LIMIT: '0', ATLANTAS_SANDBOX: sandbox }, childEnv: insteadOfEnv(repo.root) });
  const status = (await app.req('GET', '/status')).body.sandbox;
  if (status !== (sandbox === 'off' ? 'off' : 'bwrap')) throw new Error(`server with ATLANTAS_SANDBOX=${sandbox} reports sandbox ${status}`);
  return app;
}


