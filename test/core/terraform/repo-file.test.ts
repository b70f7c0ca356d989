import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { listCheckoutFiles, readRepoFile } from '../../../src/core/terraform/repo-file.js';

const exec = promisify(execFile);

describe('readRepoFile: what the server reads from a checkout', () => {
  const temps: string[] = [];
  afterEach(async () => {
    await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(tmpdir(), 'atlantas-repo-file-'));
    temps.push(dir);
    return dir;
  };
  const put = async (root: string, rel: string, text: string | Buffer = 'x') => {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  };
  /** The refusal, checked to be an InputError naming the file and saying nothing of its content. */
  const refusal = async (promise: Promise<unknown>): Promise<string> => {
    const err = await promise.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('repo_file_refused');
    return (err as Error).message;
  };

  it('reads a regular file, also in a sub-directory; a missing one is null', async () => {
    const repo = await tempDir();
    await put(repo, 'atlantis.yaml', 'version: 3\n');
    await put(repo, 'envs/prod/main.tf', 'resource "terraform_data" "a" {}\n');
    expect(await readRepoFile(repo, 'atlantis.yaml')).toBe('version: 3\n');
    expect(await readRepoFile(repo, 'envs/prod/main.tf')).toBe('resource "terraform_data" "a" {}\n');
    expect(await readRepoFile(repo, 'atlantis.yml')).toBeNull();
    expect(await readRepoFile(repo, 'missing/dir/file')).toBeNull();
    expect(await readRepoFile(repo, 'atlantis.yaml/below')).toBeNull(); // a file is not a directory
  });

  it('refuses a link to /etc/passwd, naming the file and quoting nothing of it', async () => {
    const repo = await tempDir();
    await symlink('/etc/passwd', path.join(repo, 'atlantis.yaml'));
    const message = await refusal(readRepoFile(repo, 'atlantis.yaml'));
    expect(message).toMatch(/^atlantis\.yaml is a symbolic link; Atlantas reads only regular files committed inside the repository$/);
    expect(message).not.toContain('root:');
  });

  it('refuses a file below a linked directory, even when the link stays inside the checkout', async () => {
    const repo = await tempDir();
    const outside = await tempDir();
    await put(outside, 'main.tf', 'secret');
    await put(repo, 'real/main.tf', 'inside');
    await symlink(outside, path.join(repo, 'escape'));
    await symlink(path.join(repo, 'real'), path.join(repo, 'alias'));
    expect(await refusal(readRepoFile(repo, 'escape/main.tf'))).toMatch(/^escape\/main\.tf is inside escape, which is a symbolic link;/);
    expect(await refusal(readRepoFile(repo, 'alias/main.tf', { allowLinkInside: true }))).toMatch(/is inside alias, which is a symbolic link/);
  });

  it('refuses paths that leave the checkout and links that lead out of it or nowhere', async () => {
    const repo = await tempDir();
    const outside = await tempDir();
    await put(outside, 'backend.tf', 'secret');
    await put(repo, 'common/backend.tf', 'terraform {}');
    await mkdir(path.join(repo, 'app'));
    await symlink(path.join(outside, 'backend.tf'), path.join(repo, 'app/outside.tf'));
    await symlink('../common/backend.tf', path.join(repo, 'app/backend.tf'));
    await symlink('nothing.tf', path.join(repo, 'app/dangling.tf'));
    expect(await refusal(readRepoFile(repo, `../${path.basename(outside)}/backend.tf`))).toMatch(/is not a path inside the repository/);
    expect(await refusal(readRepoFile(repo, path.join(outside, 'backend.tf')))).toMatch(/is not a path inside the repository/);
    expect(await refusal(readRepoFile(repo, 'app/outside.tf', { allowLinkInside: true }))).toMatch(/^app\/outside\.tf is a symbolic link that leads outside the repository/);
    expect(await refusal(readRepoFile(repo, 'app/dangling.tf', { allowLinkInside: true }))).toMatch(/leads outside the repository or to nothing/);
    expect(await refusal(readRepoFile(repo, 'app/backend.tf'))).toMatch(/^app\/backend\.tf is a symbolic link;/);
    // Terraform sources may link a shared file that stays inside the checkout.
    expect(await readRepoFile(repo, 'app/backend.tf', { allowLinkInside: true })).toBe('terraform {}');
    expect(await readRepoFile(path.join(repo, 'app'), 'backend.tf', { allowLinkInside: true }).catch((e: Error) => e.message)).toMatch(/leads outside/);
  });

  it('refuses a file over the bound without reading it, and anything that is not a regular file', async () => {
    const repo = await tempDir();
    await put(repo, 'atlantis.yaml', Buffer.alloc(2 * 1024 * 1024, 'a'));
    await put(repo, 'small.yaml', 'a'.repeat(100));
    await mkdir(path.join(repo, 'adir'));
    await exec('mkfifo', [path.join(repo, 'fifo')]);
    expect(await refusal(readRepoFile(repo, 'atlantis.yaml'))).toMatch(/^atlantis\.yaml is larger than 1 MiB, the most Atlantas reads from a repository file;/);
    expect(await readRepoFile(repo, 'atlantis.yaml', { maxBytes: 4 * 1024 * 1024 })).toHaveLength(2 * 1024 * 1024);
    expect(await refusal(readRepoFile(repo, 'small.yaml', { maxBytes: 99 }))).toMatch(/is larger than/);
    expect(await readRepoFile(repo, 'small.yaml', { maxBytes: 100 })).toHaveLength(100);
    expect(await refusal(readRepoFile(repo, 'adir'))).toMatch(/^adir is not a regular file;/);
    expect(await refusal(readRepoFile(repo, 'fifo'))).toMatch(/^fifo is not a regular file;/);
  });
});

describe('listCheckoutFiles', () => {
  it('never walks through a linked directory, inside or outside the checkout', async () => {
    const repo = await mkdtemp(path.join(tmpdir(), 'atlantas-repo-list-'));
    const outside = await mkdtemp(path.join(tmpdir(), 'atlantas-repo-list-out-'));
    try {
      await mkdir(path.join(repo, 'a'));
      await mkdir(path.join(outside, 'mod'));
      await writeFile(path.join(repo, 'a/main.tf'), '');
      await writeFile(path.join(outside, 'mod/main.tf'), '');
      await symlink(outside, path.join(repo, 'out'));
      await symlink(path.join(repo, 'a'), path.join(repo, 'loop'));
      await symlink('a/main.tf', path.join(repo, 'linked.tf'));
      await symlink(path.join(outside, 'mod/main.tf'), path.join(repo, 'out.tf'));
      expect(await listCheckoutFiles(repo, new Set(['.git']))).toEqual(['a/main.tf', 'linked.tf']);
    } finally {
      await rm(repo, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });
});
