import { describe, expect, it } from 'vitest';
import { bwrapCommand, SANDBOX_HOME, sandboxedCommand } from '../../../src/core/terraform/sandbox.js';

const profile = { bwrap: '/usr/bin/bwrap', userNamespace: true };
const spec = {
  binary: '/opt/tf/terraform', args: ['plan', '-out', '/data/runs/r1/plan.tfplan'], cwd: '/data/repos/t/acme/app/ref-main/default/net',
  writable: ['/data/repos/t/acme/app/ref-main/default', '/data/runs/r1'],
  env: { PATH: '/usr/bin', HOME: '/root', TMPDIR: '/var/tmp', TF_HTTP_PASSWORD: 'run-token-secret', TF_PLUGIN_CACHE_DIR: '/var/cache/tf', ATLANTAS_RUN_ID: 'r1' },
};

/** Pairs following `flag` in argv, e.g. all `--bind SRC DEST`. */
function pairs(argv: string[], flag: string): string[][] {
  return argv.flatMap((a, i) => (a === flag ? [[argv[i + 1], argv[i + 2]]] : []));
}

describe('the bwrap command line of a terraform process', () => {
  const cmd = bwrapCommand(profile, spec);

  it('binds read-write exactly the working copy, the scratch dir and the plugin cache, at their own paths, and starts in the project dir', () => {
    expect(pairs(cmd.argv, '--bind')).toEqual([...spec.writable, '/var/cache/tf'].map((d) => [d, d]));
    expect(cmd.argv.slice(cmd.argv.indexOf('--chdir'), cmd.argv.indexOf('--chdir') + 2)).toEqual(['--chdir', spec.cwd]);
    expect(cmd.argv.join(' ')).not.toMatch(/--bind \/data /);
  });

  it('puts no value of the environment on its argv (readable inside as /proc/1/cmdline): the env is bwrap\'s own', () => {
    expect(cmd.argv.join(' ')).not.toContain('run-token-secret');
    expect(cmd.argv).not.toContain('--setenv');
    expect(cmd.env).toMatchObject({ TF_HTTP_PASSWORD: 'run-token-secret', ATLANTAS_RUN_ID: 'r1', HOME: SANDBOX_HOME, TMPDIR: '/tmp' });
  });

  it('isolates processes, users and the terminal, with a fresh /proc, /dev, /tmp and HOME', () => {
    for (const flag of ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-user', '--die-with-parent', '--new-session']) expect(cmd.argv).toContain(flag);
    expect(pairs(cmd.argv, '--uid')).toHaveLength(1);
    expect(cmd.argv.join(' ')).toContain(`--proc /proc --dev /dev --tmpfs /tmp --tmpfs ${SANDBOX_HOME}`);
    expect(bwrapCommand({ ...profile, userNamespace: false }, spec).argv).not.toContain('--unshare-user');
  });

  it('shows the terraform binary read-only and the plugin cache writable (init installs into it), and runs the binary after the separator', () => {
    expect(pairs(cmd.argv, '--ro-bind-try')).toEqual([['/opt/tf/terraform', '/opt/tf/terraform']]);
    expect(pairs(cmd.argv, '--bind')).toContainEqual(['/var/cache/tf', '/var/cache/tf']);
    expect(sandboxedCommand([cmd.file, ...cmd.argv])).toEqual([spec.binary, ...spec.args]);
    expect(pairs(cmd.argv, '--ro-bind').every(([src]) => /^\/(usr|bin|sbin|lib|etc)/.test(src))).toBe(true);
  });

  it('binds the working copy\'s .git read-only over its writable bind, so a run cannot change what the next checkout runs', () => {
    const gitDir = '/data/repos/t/acme/app/ref-main/default/.git';
    const argv = bwrapCommand(profile, { ...spec, readOnly: [gitDir] }).argv;
    const rootBind = argv.findIndex((a, i) => a === '--bind' && argv[i + 1] === spec.writable[0]);
    const gitBind = argv.findIndex((a, i) => a === '--ro-bind-try' && argv[i + 1] === gitDir && argv[i + 2] === gitDir);
    expect(rootBind).toBeGreaterThan(0);
    expect(gitBind).toBeGreaterThan(rootBind); // bwrap applies binds in order: the later one wins
    expect(gitBind).toBeLessThan(argv.indexOf('--chdir'));
  });
});
