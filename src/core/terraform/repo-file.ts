/**
 * The one way the server reads a file out of a checkout. A checkout is written by whoever can
 * push to the repository, so a path in it is untrusted: `ln -s /proc/self/environ atlantis.yaml`
 * once made the server read its own environment and quote it back in a PR comment. Here a file is
 * read only when every path component below the checkout root is a real directory or file (no
 * symbolic link), it is a regular file, and it is not larger than the caller's bound. Refusals are
 * InputErrors that name the file, never its content. Directory walks (`listCheckoutFiles`) never
 * step through a link.
 */
import { constants } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';

export const REPO_FILE_REFUSED = 'repo_file_refused';
/** Config files (atlantis.yaml, terraform's backend record). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;
/** Terraform sources scanned for a backend block. */
export const MAX_SOURCE_FILE_BYTES = 8 * 1024 * 1024;

export interface RepoFileOptions {
  /** the largest file read; a larger one is refused (default MAX_CONFIG_FILE_BYTES) */
  maxBytes?: number;
  /**
   * Terraform sources only: the file itself may be a link when it resolves to a regular file
   * inside the root (a shared `backend.tf` linked into each project is common). A link leaving
   * the root, or a link in a parent directory, is still refused.
   */
  allowLinkInside?: boolean;
}

/**
 * The text of `rel` (a relative path below `root`), or null when it does not exist. Throws an
 * InputError (code repo_file_refused) when it is a link, is not a regular file, lies outside the
 * root or is too large.
 */
export async function readRepoFile(root: string, rel: string, options: RepoFileOptions = {}): Promise<string | null> {
  const base = await realpath(root);
  const parts = segments(rel);
  const maxBytes = options.maxBytes ?? MAX_CONFIG_FILE_BYTES;
  let current = base;
  for (const [i, part] of parts.entries()) {
    current = path.join(current, part);
    const info = await lstat(current).catch(missing);
    if (info === null) return null;
    const last = i === parts.length - 1;
    if (info.isSymbolicLink()) {
      if (!last || !options.allowLinkInside) throw refused(rel, `${last ? 'is' : `is inside ${parts.slice(0, i + 1).join('/')}, which is`} a symbolic link`);
      return readLinkedFile(base, rel, current, maxBytes);
    }
    if (!last && !info.isDirectory()) return null;
  }
  return readRegularFile(rel, current, maxBytes);
}

/** Every regular file below `root` as a sorted POSIX path; skips `skipDirs` and links, except links to files inside. */
export async function listCheckoutFiles(root: string, skipDirs: ReadonlySet<string>): Promise<string[]> {
  const base = await realpath(root);
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    // withFileTypes reports a link as a link (lstat): a linked directory is never entered.
    for (const entry of await readdir(path.join(base, rel), { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skipDirs.has(entry.name)) await walk(relPath);
      } else if (entry.isFile() || (entry.isSymbolicLink() && (await linkedFileInside(base, relPath)) !== null)) {
        out.push(relPath);
      }
    }
  };
  await walk('');
  return out.sort();
}

async function readLinkedFile(base: string, rel: string, link: string, maxBytes: number): Promise<string> {
  const target = await linkedFileInside(base, link);
  if (target === null) throw refused(rel, 'is a symbolic link that leads outside the repository or to nothing');
  // realpath resolved every link on the way; O_NOFOLLOW still guards the last step.
  return readRegularFile(rel, target, maxBytes);
}

/** The real path of a link when it resolves to a regular file inside `base`, else null. */
async function linkedFileInside(base: string, link: string): Promise<string | null> {
  const target = await realpath(path.resolve(base, link)).catch(() => null);
  if (target === null || !target.startsWith(base + path.sep)) return null;
  const info = await stat(target).catch(() => null);
  return info?.isFile() ? target : null;
}

async function readRegularFile(rel: string, file: string, maxBytes: number): Promise<string> {
  // O_NOFOLLOW: a link swapped in after the lstat is refused by the kernel; O_NONBLOCK: a FIFO cannot hang us.
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ELOOP') throw refused(rel, 'is a symbolic link');
    throw err;
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw refused(rel, 'is not a regular file');
    if (info.size > maxBytes) throw tooLarge(rel, maxBytes);
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw tooLarge(rel, maxBytes); // it grew while we read
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The components of a clean relative path; anything else is a caller's bug, refused all the same. */
function segments(rel: string): string[] {
  const parts = rel.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || path.isAbsolute(rel) || parts.includes('..') || rel.includes('\0')) {
    throw refused(rel, 'is not a path inside the repository');
  }
  return parts;
}

function missing(err: NodeJS.ErrnoException): null {
  if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
  throw err;
}

function tooLarge(rel: string, maxBytes: number): InputError {
  return refused(rel, `is larger than ${maxBytes / (1024 * 1024)} MiB, the most Atlantas reads from a repository file`);
}

function refused(rel: string, problem: string): InputError {
  const hint = 'Atlantas reads only regular files committed inside the repository';
  return new InputError(`${rel} ${problem}; ${hint}`, { code: REPO_FILE_REFUSED });
}
