import { mkdtemp, mkdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertExtraArgPathsInside, checkExtraArgs, DEFAULT_BLOCKED_EXTRA_ARGS } from '../../../src/core/runs/extra-args.js';

const refusal = (args: string[], blocked: readonly string[] = DEFAULT_BLOCKED_EXTRA_ARGS, dirs: string[] = ['app']) => {
  try {
    checkExtraArgs(args, blocked, dirs);
    return null;
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
};

describe('checkExtraArgs: the one rule for extra args, whoever sends them', () => {
  it.each([
    [['-chdir=../other'], 'flag "-chdir=../other" is not allowed in extra args'],
    [['-chdir', '../other'], 'flag "-chdir" is not allowed in extra args'],
    [['--chdir=x'], 'flag "--chdir=x" is not allowed in extra args'],
    [['-plugin-dir=/tmp/evil'], 'flag "-plugin-dir=/tmp/evil" is not allowed in extra args'],
    [['--plugin-dir', '/tmp'], 'flag "--plugin-dir" is not allowed in extra args'],
  ])('refuses %j by default', (args, message) => {
    expect(refusal(args)).toEqual({ code: 'extra_args.blocked', message: expect.stringContaining(message) });
  });

  it('uses the configured list instead of the default, flags in every spelling, bare words exactly', () => {
    expect(refusal(['-lock=false'], ['-lock'])?.code).toBe('extra_args.blocked');
    expect(refusal(['--lock'], ['-lock'])?.code).toBe('extra_args.blocked');
    expect(refusal(['-chdir=x'], ['-lock'])).toBeNull(); // chdir = x stays inside app
    expect(refusal(['secret', 'id'], ['secret'])?.code).toBe('extra_args.blocked');
    expect(refusal(['-var', 'x=secret'], ['secret'])).toBeNull();
    expect(refusal(['-chdirx', '-var=a'])).toBeNull();
  });

  it.each([
    [['-var-file=/etc/passwd']], [['-var-file', '/etc/passwd']], [['-var-file=../../etc/passwd']], [['-state=~/.ssh/id_rsa']],
    [['-state-out=/tmp/x']], [['-backup=../../x']], [['-var-file=C:\\x']], [['-var-file=']],
  ])('refuses the path of %j: it leaves the checkout from app', (args) => {
    expect(refusal(args, [])?.code).toBe('extra_args.path_outside_checkout');
  });

  it('accepts paths inside the checkout, relative to the project dir', () => {
    expect(refusal(['-var-file=prod.tfvars', '-var-file', '../common/shared.tfvars'], [])).toBeNull();
    expect(refusal(['-var-file=../x.tfvars'], [], ['.'])?.code).toBe('extra_args.path_outside_checkout');
  });

  it('before the repository is read (no dirs), refuses only what is outside from anywhere', () => {
    expect(refusal(['-var-file=/etc/passwd'], [], [])?.code).toBe('extra_args.path_outside_checkout');
    expect(refusal(['-var-file=../x.tfvars'], [], [])).toBeNull();
  });
});

describe('assertExtraArgPathsInside: where symlinks in the checkout lead', () => {
  let root: string;
  beforeAll(async () => {
    root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'extra-args-')));
    await mkdir(path.join(root, 'app'));
    await writeFile(path.join(root, 'app', 'ok.tfvars'), 'a = 1\n');
    await symlink('/etc/passwd', path.join(root, 'app', 'evil.tfvars'));
    await symlink('/tmp', path.join(root, 'app', 'out'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('refuses a path that a link leads outside, accepts one that stays, judges a new file by its parent', async () => {
    const app = path.join(root, 'app');
    await expect(assertExtraArgPathsInside(['-var-file=evil.tfvars'], app, root)).rejects.toMatchObject({ code: 'extra_args.path_outside_checkout' });
    await expect(assertExtraArgPathsInside(['-state-out=out/new.tfstate'], app, root)).rejects.toMatchObject({ code: 'extra_args.path_outside_checkout' });
    await expect(assertExtraArgPathsInside(['-var-file=ok.tfvars', '-state-out=new.tfstate'], app, root)).resolves.toBeUndefined();
  });
});
