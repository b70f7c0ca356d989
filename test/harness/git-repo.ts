import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A deterministic identity and no user/system config surprises for the repos tests build. */
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Atlantas Test',
  GIT_AUTHOR_EMAIL: 'test@atlantas.invalid',
  GIT_COMMITTER_NAME: 'Atlantas Test',
  GIT_COMMITTER_EMAIL: 'test@atlantas.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

/** A file's text, null to delete it, or a symbolic link committed as one (git mode 120000). */
export type FileContent = string | null | { symlink: string };

export interface BareRepo {
  /** the temp dir holding `<owner>/<name>.git`: pass it to insteadOfEnv */
  root: string;
  /** the bare repository */
  path: string;
  /** what clones see through insteadOf: https://github.com/<owner>/<name>.git */
  cloneUrl: string;
  /**
   * Writes (or, with null, deletes; with `{ symlink: target }`, links) files on `branch` (default
   * main), commits, pushes; returns the sha.
   */
  commitFiles(files: Record<string, FileContent>, message: string, opts?: { branch?: string }): Promise<string>;
  /** Points any ref (refs/pull/7/head, refs/heads/x) of the bare repo at `sha`. */
  setRef(ref: string, sha: string): Promise<void>;
  /** git in the bare repo, for assertions */
  git(...args: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

/**
 * A real bare repository in a temp dir, with a scratch clone to make commits. Clones reach it as
 * https://github.com/<owner>/<name>.git through git's own `url.<base>.insteadOf` (insteadOfEnv).
 * Call cleanup() (e.g. in onTestFinished) to delete both.
 */
export async function createBareRepo(opts: { owner?: string; name?: string } = {}): Promise<BareRepo> {
  const owner = opts.owner ?? 'acme';
  const name = opts.name ?? 'infra';
  const root = await mkdtemp(path.join(tmpdir(), 'atlantas-bare-'));
  const bare = path.join(root, owner, `${name}.git`);
  const scratch = await mkdtemp(path.join(tmpdir(), 'atlantas-scratch-'));
  await mkdir(bare, { recursive: true });
  await git(bare, 'init', '--quiet', '--bare', '--initial-branch=main');
  await git(scratch, 'init', '--quiet', '--initial-branch=main');
  await git(scratch, 'remote', 'add', 'origin', bare);
  let current = 'main';

  return {
    root,
    path: bare,
    cloneUrl: `https://github.com/${owner}/${name}.git`,
    async commitFiles(files, message, o = {}) {
      const branch = o.branch ?? 'main';
      if (branch !== current) {
        await git(scratch, 'checkout', '--quiet', '-B', branch);
        current = branch;
      }
      for (const [file, content] of Object.entries(files)) {
        const target = path.join(scratch, file);
        if (content === null) {
          await git(scratch, 'rm', '--quiet', '--', file);
        } else {
          await mkdir(path.dirname(target), { recursive: true });
          await rm(target, { force: true });
          if (typeof content === 'string') await writeFile(target, content);
          else await symlink(content.symlink, target);
          await git(scratch, 'add', '--', file);
        }
      }
      await git(scratch, 'commit', '--quiet', '--allow-empty', '--no-gpg-sign', '-m', message);
      const sha = (await git(scratch, 'rev-parse', 'HEAD')).trim();
      await git(scratch, 'push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`);
      return sha;
    },
    async setRef(ref, sha) {
      await git(bare, 'update-ref', ref, sha);
    },
    git: (...args) => git(bare, ...args),
    async cleanup() {
      await rm(root, { recursive: true, force: true });
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/**
 * Env entries that make git fetch https://github.com/<owner>/<repo>.git from
 * `<bareRoot>/<owner>/<repo>.git`, through git's config-from-environment. Merge them into the
 * baseEnv of what is under test; it must append its own GIT_CONFIG entries after these.
 */
export function insteadOfEnv(bareRoot: string, base = 'https://github.com/'): Record<string, string> {
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `url.file://${bareRoot}/.insteadOf`,
    GIT_CONFIG_VALUE_0: base,
  };
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, { cwd, env: { ...process.env, ...GIT_ENV } });
  return stdout;
}
