import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as tarCreate } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { extractArchive, inspectArchive } from '../../../src/core/terraform/config-archive.js';

/** The archive rules where a runner extracts an uploaded configuration: whole archives refused, nothing written outside. */
describe('configuration archives', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const tmp = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'atlantas-archive-'));
    dirs.push(d);
    return d;
  };
  const pack = async (cwd: string, files: string[], preservePaths = false) => {
    const chunks: Buffer[] = [];
    for await (const c of tarCreate({ gzip: true, cwd, portable: true, preservePaths }, files) as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks);
  };

  it('extracts files, directories and links inside the tree, leaving out .git and .terraform', async () => {
    const src = await tmp();
    await mkdir(path.join(src, 'modules/net'), { recursive: true });
    await mkdir(path.join(src, '.terraform'));
    await writeFile(path.join(src, 'main.tf'), 'module "net" { source = "./modules/net" }\n');
    await writeFile(path.join(src, 'modules/net/main.tf'), '# net\n');
    await writeFile(path.join(src, '.terraform/plugin'), 'planted\n');
    await symlink('modules/net/main.tf', path.join(src, 'shared.tf'));
    const archive = await pack(src, ['main.tf', 'modules', 'shared.tf', '.terraform']);
    const dest = path.join(await tmp(), 'out');
    const summary = await extractArchive(archive, dest);
    expect(summary.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await readFile(path.join(dest, 'modules/net/main.tf'), 'utf8')).toBe('# net\n');
    expect(await readlink(path.join(dest, 'shared.tf'))).toBe('modules/net/main.tf');
    expect((await readdir(dest)).sort()).toEqual(['main.tf', 'modules', 'shared.tf']);
  });

  it('refuses links out of the tree, absolute links and ../ paths, writing nothing', async () => {
    const src = await tmp();
    const outside = await tmp();
    await writeFile(path.join(src, 'main.tf'), '# ok\n');
    await symlink('/etc/passwd', path.join(src, 'abs.tf'));
    await symlink('../../escape', path.join(src, 'rel.tf'));
    const cases: [Buffer, RegExp][] = [
      [await pack(src, ['main.tf', 'abs.tf']), /"abs.tf" is a link to an absolute path/],
      [await pack(src, ['main.tf', 'rel.tf']), /"rel.tf" is a link that leads out of the configuration/],
    ];
    await mkdir(path.join(src, 'sub'));
    await writeFile(path.join(src, 'evil.tf'), 'evil\n');
    cases.push([await pack(path.join(src, 'sub'), ['../evil.tf'], true), /leads out of the configuration \(\.\.\)/]);
    for (const [archive, message] of cases) {
      const dest = path.join(outside, 'out');
      await expect(inspectArchive(archive)).rejects.toThrow(message);
      await expect(extractArchive(archive, dest)).rejects.toThrow(message);
      await expect(stat(dest)).rejects.toThrow(); // nothing was written, not even the target dir
    }
    expect(await readdir(outside)).toEqual([]);
  });

  it('stops at the limits: compressed size, uncompressed size (a bomb), entry count', async () => {
    const src = await tmp();
    await writeFile(path.join(src, 'zeros.tf'), Buffer.alloc(4 * 1024 * 1024));
    for (let i = 0; i < 5; i++) await writeFile(path.join(src, `f${i}.tf`), `# ${i}\n`);
    const bomb = await pack(src, ['zeros.tf']);
    expect(bomb.length).toBeLessThan(64 * 1024);
    await expect(inspectArchive(bomb, { maxCompressedBytes: 1024 * 1024, maxUncompressedBytes: 1024 * 1024, maxEntries: 100 })).rejects.toThrow(/more than 1048576 bytes once uncompressed/);
    await expect(inspectArchive(bomb, { maxCompressedBytes: 1000, maxUncompressedBytes: 10 * 1024 * 1024, maxEntries: 100 })).rejects.toThrow(/larger than 1000 bytes/);
    const many = await pack(src, ['f0.tf', 'f1.tf', 'f2.tf', 'f3.tf', 'f4.tf']);
    await expect(inspectArchive(many, { maxCompressedBytes: 1024 * 1024, maxUncompressedBytes: 1024 * 1024, maxEntries: 4 })).rejects.toThrow(/more than 4 entries/);
    await expect(inspectArchive(Buffer.from('plain text'))).rejects.toThrow(/not a gzip-compressed tar archive/);
  });
});
