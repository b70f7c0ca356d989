import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bwrapCommand } from '../../../src/core/terraform/sandbox.js';
import { probeSandbox } from '../../../src/core/terraform/sandbox-probe.js';
import { captureLogs } from '../../harness/capture-logs.js';
import { isTerraformCommand, judgeOrphanGroup, liveMembers, parseStat, RUN_ID_ENV } from '../../../src/core/terraform/orphan-group.js';

const SLEEP = '/bin/sleep';

/** A detached process group led by `command` (its own argv[0]), killed at the end of the test. */
async function group(command: string, args: string[], env: Record<string, string>): Promise<number> {
  const child = spawn(command, args, { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH, ...env } });
  killAtEnd(child.pid!);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

function killAtEnd(pgid: number): void {
  onTestFinished(() => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
}

/** A file named `terraform` that is really sleep: a process whose command line says terraform. */
async function fakeTerraformBinary(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orphan-group-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const binary = path.join(dir, 'terraform');
  await symlink(SLEEP, binary);
  return binary;
}

describe.runIf(process.platform === 'linux')('judgeOrphanGroup (which leftover process groups recovery may kill)', () => {
  it('kills a group still led by terraform that carries the run\'s marker', async () => {
    const runId = randomUUID();
    const binary = await fakeTerraformBinary();
    const pid = await group(binary, ['60'], { [RUN_ID_ENV]: runId });
    expect(await judgeOrphanGroup(pid, runId, 'terraform')).toEqual({ kill: true, reason: `terraform (pid ${pid}) is still running` });
  });

  it('recognises and kills a sandboxed terraform: the bwrap group carrying the run\'s marker, with everything inside it', async () => {
    const runId = randomUUID();
    const binary = await fakeTerraformBinary();
    const profile = (await probeSandbox('bwrap', process.env, captureLogs().log)).profile!;
    const cmd = bwrapCommand(profile, { binary, args: ['60'], cwd: path.dirname(binary), writable: [], env: { PATH: process.env.PATH!, [RUN_ID_ENV]: runId } });
    const child = spawn(cmd.file, cmd.argv, { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe'], env: cmd.env });
    killAtEnd(child.pid!);
    // bwrap's status JSON may arrive in pieces: read until the child's pid is in it
    let status = '';
    const inner = await new Promise<number>((resolve) => child.stdio[3]!.on('data', (d) => {
      const m = /"child-pid"\s*:\s*(\d+)/.exec((status += String(d)));
      if (m) resolve(Number(m[1]));
    }));
    expect(await judgeOrphanGroup(child.pid!, runId, 'terraform')).toEqual({ kill: true, reason: `terraform (pid ${child.pid}) is still running` });
    expect(await judgeOrphanGroup(child.pid!, randomUUID(), 'terraform')).toMatchObject({ kill: false });
    process.kill(-child.pid!, 'SIGKILL'); // what recovery does with a verdict to kill
    await new Promise((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 50 && (await liveMembers(inner))?.length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await liveMembers(inner)).toEqual([]); // --die-with-parent took the sandbox and its terraform down with bwrap
  });

  it('leaves alone a terraform of another run that reused the pid', async () => {
    const binary = await fakeTerraformBinary();
    const pid = await group(binary, ['60'], { [RUN_ID_ENV]: randomUUID() });
    const verdict = await judgeOrphanGroup(pid, randomUUID(), 'terraform');
    expect(verdict).toEqual({ kill: false, reason: `no process of group ${pid} belongs to this run (the pid was reused); left alone` });
  });

  it('leaves alone a pid reused by something that is not terraform, naming it without its arguments', async () => {
    const runId = randomUUID();
    const pid = await group('/bin/sh', ['-c', `${SLEEP} 60; :`, 'secret-looking-arg'], { [RUN_ID_ENV]: runId });
    const verdict = await judgeOrphanGroup(pid, runId, '/usr/local/bin/terraform');
    expect(verdict).toEqual({ kill: false, reason: `pid ${pid} now runs sh, not terraform: the pid was reused; left alone` });
    expect(verdict.reason).not.toContain('secret-looking-arg');
  });

  it('kills what a dead terraform left in its group when it carries the run\'s marker (terraform dies of SIGPIPE with its server)', async () => {
    const runId = randomUUID();
    const leader = spawn('/bin/sh', ['-c', `${SLEEP} 60 & exit 0`], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH, [RUN_ID_ENV]: runId } });
    const pid = leader.pid!;
    killAtEnd(pid);
    await new Promise((resolve) => leader.once('exit', resolve));
    const members = await liveMembers(pid);
    expect(members?.map((m) => m.cmdline)).toEqual([[SLEEP, '60']]);
    expect(await judgeOrphanGroup(pid, runId, 'terraform')).toEqual({ kill: true, reason: `terraform (pid ${pid}) is gone but left 1 process(es) of the run in its group` });
    expect(await judgeOrphanGroup(pid, randomUUID(), 'terraform')).toMatchObject({ kill: false });
  });

  it('finds nothing to kill in a group that no longer exists', async () => {
    const child = spawn(SLEEP, ['0'], { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await judgeOrphanGroup(child.pid!, randomUUID(), 'terraform')).toEqual({ kill: false, reason: `no live process is left in group ${child.pid}` });
  });
});

describe('process helpers', () => {
  it('recognises terraform, tofu, the configured binary and a wrapper script by their command lines', () => {
    expect(isTerraformCommand(['/usr/bin/terraform', 'apply'], 'terraform')).toBe(true);
    expect(isTerraformCommand(['tofu', 'plan'], 'tofu')).toBe(true);
    expect(isTerraformCommand(['/opt/tf/terraform-1.11', 'apply'], '/opt/tf/terraform-1.11')).toBe(true);
    expect(isTerraformCommand(['bash', '/tmp/spy/terraform', 'apply'], '/tmp/spy/terraform')).toBe(true);
    expect(isTerraformCommand(['sleep', '60'], 'terraform')).toBe(false);
    expect(isTerraformCommand(['python3', 'x.py', 'terraform'], 'terraform')).toBe(false);
    expect(isTerraformCommand([], 'terraform')).toBe(false);
    // a sandboxed run: bwrap leads the group, its command follows `--`
    expect(isTerraformCommand(['bwrap', '--unshare-pid', '--bind', '/w/terraform', '/w/terraform', '--', '/usr/local/bin/terraform', 'apply'], 'terraform')).toBe(true);
    expect(isTerraformCommand(['bwrap', '--unshare-pid', '--', '/bin/sh', '-c', 'terraform'], 'terraform')).toBe(false);
    expect(isTerraformCommand(['bwrap', 'terraform', 'apply'], 'terraform')).toBe(false);
  });

  it('reads the state and process group from /proc/<pid>/stat, whatever the command name holds', () => {
    expect(parseStat('4242 (terraform) S 1 4242 4242 0 -1 4194560')).toEqual({ state: 'S', pgrp: 4242 });
    expect(parseStat('77 (odd) name (x)) Z 1 70 70 0')).toEqual({ state: 'Z', pgrp: 70 });
    expect(parseStat('')).toBeNull();
  });
});
