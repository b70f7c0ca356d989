import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/core/errors.js';
import { loadServerRepoConfig } from '../../../src/core/repo-policy/load-server-repo-config.js';
import { openCore } from '../../../src/main.js';
import { captureLogs } from '../../harness/capture-logs.js';
import { cleanEnv, spawnAtlantas } from '../../harness/spawn-server.js';

const SECRET = 'hunter2-not-for-logs';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atlantas-repos-yaml-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, text);
  return p;
}

/** The ConfigError a promise rejects with; its message must not quote the secret. */
async function configError(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => { throw new Error('expected a ConfigError'); }, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  const message = (err as Error).message;
  expect(message).not.toContain(SECRET);
  return message;
}

describe('loadServerRepoConfig', () => {
  const logs = captureLogs();
  const load = (p: string | undefined, applyRequirements: ('approved' | 'mergeable')[] = []) =>
    loadServerRepoConfig({ path: p, applyRequirements, vcsHost: 'github.com', log: logs.log });

  it('reads the file, follows a symlink (a ConfigMap mount), puts ATLANTAS_APPLY_REQUIREMENTS first and logs what it ignores', async () => {
    const real = await file('repos.yaml', 'repos:\n- id: /.*/\n  delete_source_branch_on_merge: true\n');
    await mkdir(path.join(dir, 'mount'));
    const link = path.join(dir, 'mount', 'repos.yaml');
    await symlink(real, link);
    const config = await load(link, ['approved']);
    expect(config.repos.map((r) => r.origin)).toEqual(['ATLANTAS_APPLY_REQUIREMENTS', `${link} line 2: repos[0]`]);
    expect(config.repos[0].applyRequirements).toEqual(['approved']);
    expect(logs.text()).toContain('delete_source_branch_on_merge: accepted and ignored');
    expect(logs.text()).toContain('server-side repo config loaded');
  });

  it('without ATLANTAS_REPO_CONFIG, is ATLANTAS_APPLY_REQUIREMENTS alone', async () => {
    expect((await load(undefined, ['mergeable'])).repos).toEqual([expect.objectContaining({ applyRequirements: ['mergeable'] })]);
    expect((await load(undefined)).repos).toEqual([]);
  });

  it('names the variable, the file and the line of a bad file, without quoting the value', async () => {
    const bad = await file('repos.yaml', `repos:\n- id: /.*/\n  apply_requirements: [${SECRET}]\n`);
    expect(await configError(load(bad))).toBe(
      `Invalid configuration:\n  - ATLANTAS_REPO_CONFIG: ${bad} line 3: repos[0].apply_requirements[0]: must be one of: approved, mergeable, undiverged`);
  });

  it('refuses a missing file, a directory and a file far too large to be a repos.yaml', async () => {
    expect(await configError(load(path.join(dir, 'nope.yaml')))).toContain(`ATLANTAS_REPO_CONFIG: cannot read ${path.join(dir, 'nope.yaml')}: no such file`);
    expect(await configError(load(dir))).toContain(`ATLANTAS_REPO_CONFIG: ${dir} is not a regular file`);
    const huge = await file('huge.yaml', `# ${'x'.repeat(1024 * 1024)}\n`);
    expect(await configError(load(huge))).toContain('is larger than 1 MiB');
  });
});

describe('a bad ATLANTAS_REPO_CONFIG stops the server at start', () => {
  const BAD = `repos:\n- id: acme/infra\n  allow_custom_workflows: ${SECRET}\n`;

  it('openCore refuses it before opening anything, naming the variable, file and line', async () => {
    const bad = await file('repos.yaml', BAD);
    const config = loadConfig({ ATLANTAS_REPO_CONFIG: bad, ATLANTAS_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent' });
    expect(config.repoConfigPath).toBe(bad);
    const message = await configError(openCore(config, captureLogs().log));
    expect(message).toContain(`ATLANTAS_REPO_CONFIG: ${bad} line 3: repos[0].allow_custom_workflows: must be true or false`);
  });

  it('`atlantas server` exits 78 with that message and no stack trace', async () => {
    const bad = await file('repos.yaml', BAD);
    const proc = await spawnAtlantas(['server'], { env: cleanEnv({ ATLANTAS_REPO_CONFIG: bad, ATLANTAS_DATA_DIR: path.join(dir, 'data') }), waitForListen: false });
    expect(await proc.exited).toBe(78);
    expect(proc.stderr()).toContain(`ATLANTAS_REPO_CONFIG: ${bad} line 3: repos[0].allow_custom_workflows: must be true or false`);
    expect(proc.stderr()).not.toContain(SECRET);
    expect(proc.stderr()).not.toMatch(/at .*\.ts:\d+/);
  });

  it('loadConfig refuses an ATLANTAS_APPLY_REQUIREMENTS that is not a requirement', () => {
    expect(() => loadConfig({ ATLANTAS_APPLY_REQUIREMENTS: 'approved,aproved' }))
      .toThrow(/ATLANTAS_APPLY_REQUIREMENTS: expected a comma-separated list of approved, mergeable, undiverged/);
    expect(loadConfig({ ATLANTAS_APPLY_REQUIREMENTS: 'approved, mergeable,approved' }).github.applyRequirements).toEqual(['approved', 'mergeable']);
  });
});
