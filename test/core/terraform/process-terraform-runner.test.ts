import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { UnavailableError } from '../../../src/core/errors.js';
import { ProcessTerraformRunner } from '../../../src/core/terraform/process-terraform-runner.js';
import { applyArgs, initArgs, planArgs, showJsonArgs } from '../../../src/core/terraform/terraform-args.js';
import type { TerraformResult } from '../../../src/core/terraform/terraform-runner.js';
import { captureLogs } from '../../harness/capture-logs.js';

const TF = process.env.ATLANTAS_TF_BINARY || 'terraform';

function runner(opts: { cancelGraceMs?: number; binary?: string; baseEnv?: NodeJS.ProcessEnv; maxOutputBytes?: number } = {}) {
  const logs = captureLogs();
  const r = new ProcessTerraformRunner({ binary: opts.binary ?? TF, cancelGraceMs: opts.cancelGraceMs ?? 15_000, log: logs.log, ...opts });
  return { r, logs };
}

async function projectDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'atlantas-tf-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}

/** Alive and not a zombie, from /proc. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Every process currently in process group `pgid`. */
function groupMembers(pgid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter(([, g]) => g === pgid)
    .map(([p]) => p);
}

function pgidOf(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
}

/** Starts `run`, waits for a line matching `re` in the streamed output, returns it with the pending result. */
function startAndWaitFor(run: (onOutput: (c: string) => void) => Promise<TerraformResult>, re: RegExp) {
  let seen = '';
  let onMatch!: (m: RegExpExecArray) => void;
  const matched = new Promise<RegExpExecArray>((resolve) => (onMatch = resolve));
  const result = run((chunk) => {
    seen += chunk;
    const m = re.exec(seen);
    if (m) onMatch(m);
  });
  return { matched: Promise.race([matched, result.then(() => Promise.reject(new Error(`finished before ${re}: ${seen}`)))]), result };
}

const SIMPLE = `
variable "x" {
  type    = string
  default = "plain"
}
resource "terraform_data" "a" {
  input = var.x
}
output "x" {
  value = var.x
}
`;

describe('ProcessTerraformRunner', () => {
  it('runs init, plan, show -json and apply with terraform\'s exact exit codes', async () => {
    const { r } = runner();
    const dir = await projectDir({ 'main.tf': SIMPLE });
    expect((await r.run({ args: initArgs(), cwd: dir })).exitCode).toBe(0);
    const plan = await r.run({ args: planArgs({ out: 'run.tfplan', detailedExitcode: true }), cwd: dir });
    expect(plan).toMatchObject({ exitCode: 2, canceled: false, timedOut: false, truncated: false, signal: null });
    expect(plan.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    const show = await r.run({ args: showJsonArgs('run.tfplan'), cwd: dir });
    expect(show.exitCode).toBe(0);
    const json = JSON.parse(show.stdout) as { resource_changes: { address: string; change: { actions: string[] } }[] };
    expect(json.resource_changes.map((c) => [c.address, c.change.actions])).toEqual([['terraform_data.a', ['create']]]);
    const apply = await r.run({ args: applyArgs('run.tfplan'), cwd: dir });
    expect(apply.exitCode).toBe(0);
    expect(apply.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    const again = await r.run({ args: planArgs({ out: 'again.tfplan', detailedExitcode: true }), cwd: dir });
    expect(again.exitCode).toBe(0);
    const destroy = await r.run({ args: planArgs({ out: 'd.tfplan', mode: 'destroy', detailedExitcode: true }), cwd: dir });
    expect(destroy.exitCode).toBe(2);
    expect(destroy.stdout).toContain('Plan: 0 to add, 0 to change, 1 to destroy.');
    expect(r.active()).toBe(0);
  });

  it('reports an invalid configuration as exit code 1 with terraform\'s error on stderr', async () => {
    const { r } = runner();
    const dir = await projectDir({ 'main.tf': 'resource "terraform_data" "a" {\n  input = var.missing\n}\n' });
    await r.run({ args: initArgs(), cwd: dir });
    const plan = await r.run({ args: planArgs({ out: 'p.tfplan' }), cwd: dir });
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toContain('Reference to undeclared input variable');
    expect(plan.combined).toContain('Reference to undeclared input variable');
  });

  it('streams output in arrival order, and the chunks add up to the result', async () => {
    const { r } = runner();
    const dir = await projectDir({ 'main.tf': SIMPLE });
    const chunks: [string, string][] = [];
    await r.run({ args: initArgs(), cwd: dir });
    const plan = await r.run({ args: planArgs({ out: 'p.tfplan' }), cwd: dir, onOutput: (c, s) => chunks.push([c, s]) });
    const streamed = chunks.map(([c]) => c).join('');
    expect(streamed).toBe(plan.combined);
    expect(chunks.filter(([, s]) => s === 'stdout').map(([c]) => c).join('')).toBe(plan.stdout);
    expect(streamed.indexOf('will perform the following actions')).toBeLessThan(streamed.indexOf('Plan: 1 to add'));
  });

  it('passes extra args with shell metacharacters to terraform literally, never through a shell', async () => {
    const { r } = runner();
    const dir = await projectDir({ 'main.tf': SIMPLE });
    const marker = path.join(dir, 'pwned');
    const value = `a;echo pwned > ${marker} $(touch ${marker}) \`touch ${marker}\` | true && x`;
    await r.run({ args: initArgs(), cwd: dir });
    const plan = await r.run({ args: planArgs({ out: 'p.tfplan', extraArgs: [`-var=x=${value}`] }), cwd: dir });
    expect(plan.exitCode).toBe(0);
    const show = await r.run({ args: showJsonArgs('p.tfplan'), cwd: dir });
    const json = JSON.parse(show.stdout) as { planned_values: { outputs: { x: { value: string } } } };
    expect(json.planned_values.outputs.x.value).toBe(value);
    expect(existsSync(marker)).toBe(false);
  });

  it('gives terraform a clean env: automation on, no server secrets, no TF_WORKSPACE or TF_CLI_ARGS', async () => {
    const baseEnv = { ...process.env, TF_WORKSPACE: 'leaked', TF_CLI_ARGS_apply: '-refresh=false', ATLANTAS_GH_TOKEN: 'ghp_servertoken' };
    const { r } = runner({ baseEnv });
    const command = 'echo "auto=$TF_IN_AUTOMATION input=$TF_INPUT token=[$ATLANTAS_GH_TOKEN] ws=[$TF_WORKSPACE] extra=$EXTRA"';
    const dir = await projectDir({ 'main.tf': `resource "terraform_data" "e" {\n  provisioner "local-exec" {\n    command = ${JSON.stringify(command)}\n  }\n}\n` });
    await r.run({ args: initArgs(), cwd: dir });
    const apply = await r.run({ args: ['apply', '-auto-approve', '-input=false', '-no-color'], cwd: dir, env: { EXTRA: 'yes' } });
    expect(apply.exitCode).toBe(0);
    expect(apply.stdout).toContain('auto=1 input=0 token=[] ws=[] extra=yes');
  });

  it('decodes multibyte output safely across chunks, and bounds the buffers while still streaming everything', async () => {
    const { r } = runner();
    const command = 'yes € | head -c 300000'; // 75,000 lines of "€\n", split wherever the pipe splits them
    const dir = await projectDir({ 'main.tf': `resource "terraform_data" "m" {\n  provisioner "local-exec" {\n    command = "${command}"\n  }\n}\n` });
    await r.run({ args: initArgs(), cwd: dir });
    let streamed = '';
    const apply = await r.run({
      args: ['apply', '-auto-approve', '-input=false', '-no-color'], cwd: dir, maxOutputBytes: 64 * 1024,
      onOutput: (c) => (streamed += c),
    });
    expect(apply.exitCode).toBe(0);
    expect(streamed).not.toContain('\uFFFD');
    expect(streamed.match(/\(local-exec\): €\n/g)?.length).toBe(75_000); // every line whole
    expect(apply.truncated).toBe(true);
    expect(Buffer.byteLength(apply.stdout)).toBeLessThanOrEqual(64 * 1024);
    expect(apply.stdout).toContain('Apply complete!');
    expect(apply.stdout).not.toContain('\uFFFD');
  });

  it('cancels with SIGINT to the whole process group: terraform stops and its local-exec children are gone', async () => {
    const { r, logs } = runner({ cancelGraceMs: 20_000 });
    const dir = await projectDir({
      'main.tf': 'resource "terraform_data" "slow" {\n  provisioner "local-exec" {\n    command = "echo started pid=$$; sleep 30"\n  }\n}\n',
    });
    await r.run({ args: initArgs(), cwd: dir });
    const ac = new AbortController();
    const { matched, result } = startAndWaitFor(
      (onOutput) => r.run({ args: ['apply', '-auto-approve', '-input=false', '-no-color'], cwd: dir, signal: ac.signal, onOutput }),
      /started pid=(\d+)/,
    );
    const shellPid = Number((await matched)[1]);
    const pgid = pgidOf(shellPid);
    const members = groupMembers(pgid);
    expect(members.length).toBeGreaterThanOrEqual(3); // terraform, the shell, sleep
    expect(r.active()).toBe(1);
    ac.abort();
    const res = await result;
    expect(res).toMatchObject({ canceled: true, timedOut: false, exitCode: 1, signal: null }); // terraform exited on its own
    expect(res.combined).toContain('Interrupt received');
    expect(members.filter(alive)).toEqual([]);
    expect(logs.text()).not.toContain('ignored SIGINT');
    expect(r.active()).toBe(0);
  });

  it('kills a process that ignores SIGINT with SIGKILL after the grace period', async () => {
    const { r, logs } = runner({ binary: '/bin/sh', cancelGraceMs: 300 });
    const dir = await projectDir({});
    const ac = new AbortController();
    const { matched, result } = startAndWaitFor(
      (onOutput) => r.run({ args: ['-c', "trap '' INT; sleep 30 & echo ready $!; wait"], cwd: dir, signal: ac.signal, onOutput }),
      /ready (\d+)/,
    );
    const sleepPid = Number((await matched)[1]);
    ac.abort();
    const res = await result;
    expect(res).toMatchObject({ canceled: true, exitCode: null, signal: 'SIGKILL' });
    expect(alive(sleepPid)).toBe(false);
    expect(logs.text()).toContain('ignored SIGINT');
  });

  it('stops a run that exceeds its timeout through the same path, marked timedOut', async () => {
    const { r } = runner({ cancelGraceMs: 5_000 });
    const dir = await projectDir({
      'main.tf': 'resource "terraform_data" "slow" {\n  provisioner "local-exec" {\n    command = "echo started pid=$$; sleep 30"\n  }\n}\n',
    });
    await r.run({ args: initArgs(), cwd: dir });
    let shellPid = 0;
    const res = await r.run({
      args: ['apply', '-auto-approve', '-input=false', '-no-color'], cwd: dir, timeoutMs: 4_000,
      onOutput: (c) => (shellPid ||= Number(/started pid=(\d+)/.exec(c)?.[1] ?? 0)),
    });
    expect(res).toMatchObject({ timedOut: true, canceled: false });
    expect(res.exitCode).not.toBe(0);
    if (shellPid) expect(alive(shellPid)).toBe(false);
  });

  it('returns at once without starting anything when already canceled', async () => {
    const { r } = runner();
    const dir = await projectDir({ 'main.tf': SIMPLE });
    const res = await r.run({ args: initArgs(), cwd: dir, signal: AbortSignal.abort() });
    expect(res).toMatchObject({ canceled: true, exitCode: null });
    expect(existsSync(path.join(dir, '.terraform'))).toBe(false);
  });

  it('names ATLANTAS_TF_BINARY when the binary is missing', async () => {
    const { r } = runner({ binary: 'atlantas-no-such-terraform' });
    const dir = await projectDir({});
    const err = await r.run({ args: ['version'], cwd: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/"atlantas-no-such-terraform".*ATLANTAS_TF_BINARY/);
    expect(r.active()).toBe(0);
    await expect(r.version()).rejects.toThrow(/ATLANTAS_TF_BINARY/);
  });

  it('refuses a working directory that does not exist, and reports the version', async () => {
    const { r } = runner();
    await expect(r.run({ args: ['version'], cwd: '/nonexistent/atlantas' })).rejects.toThrow(/does not exist/);
    expect(await r.version()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
