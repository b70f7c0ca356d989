import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { Parser, x as extract, type ReadEntry } from 'tar';
import { InputError } from '../errors.js';

/**
 * A configuration archive (the tar.gz `terraform plan` uploads for a remote run) is hostile: it
 * is read only within limits (compressed size, uncompressed size, entry count) and every entry
 * is judged before anything is written: a regular file or directory at a plain relative path,
 * or a link whose target stays inside the tree. Absolute paths, `..`, links leading out,
 * devices and fifos refuse the whole archive. The same judgement runs when the archive is
 * uploaded and again where a runner extracts it.
 */
export interface ArchiveLimits {
  /** the tar.gz itself */
  maxCompressedBytes: number;
  /** the tar stream once gunzipped (headers included): a decompression bomb stops here */
  maxUncompressedBytes: number;
  maxEntries: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxCompressedBytes: 10 * 1024 * 1024, maxUncompressedBytes: 100 * 1024 * 1024, maxEntries: 10_000 };

export interface ArchiveSummary {
  sha256: string;
  entries: number;
  bytes: number;
}

/** Directories of the uploader's machine that never belong in a run (the CLI leaves them out too). */
const SKIPPED_ROOTS = new Set(['.git', '.terraform']);

export class ArchiveRefused extends InputError {
  constructor(message: string) {
    super(`configuration archive refused: ${message}`, { code: 'configuration_archive_refused' });
  }
}

export function archiveSha256(archive: Buffer): string {
  return createHash('sha256').update(archive).digest('hex');
}

/** Checks the whole archive; throws ArchiveRefused naming the first bad entry. */
export async function inspectArchive(archive: Buffer, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ArchiveSummary> {
  const tarball = gunzip(archive, limits);
  let entries = 0;
  let bytes = 0;
  await parse(tarball, (entry) => {
    entries++;
    if (entries > limits.maxEntries) throw new ArchiveRefused(`more than ${limits.maxEntries} entries`);
    judge(entry);
    bytes += entry.size ?? 0;
  });
  return { sha256: archiveSha256(archive), entries, bytes };
}

/** Judges every entry, then extracts into `dest` (created, must be empty), leaving out .git/ and .terraform/. */
export async function extractArchive(archive: Buffer, dest: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ArchiveSummary> {
  const summary = await inspectArchive(archive, limits);
  await mkdir(dest, { recursive: true, mode: 0o700 });
  const tarball = gunzip(archive, limits);
  await pipeline(
    Readable.from([tarball]),
    extract({
      cwd: dest, strict: true, preservePaths: false, preserveOwner: false, noMtime: true,
      // judged again as written: what was inspected is what is extracted
      filter: (p, entry) => {
        judge(entry as ReadEntry);
        return !SKIPPED_ROOTS.has(segments(p)[0] ?? '');
      },
    }),
  );
  return summary;
}

function gunzip(archive: Buffer, limits: ArchiveLimits): Buffer {
  if (archive.length === 0) throw new ArchiveRefused('the upload is empty');
  if (archive.length > limits.maxCompressedBytes) throw new ArchiveRefused(`larger than ${limits.maxCompressedBytes} bytes`);
  try {
    return gunzipSync(archive, { maxOutputLength: limits.maxUncompressedBytes });
  } catch (err) {
    if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ArchiveRefused(`more than ${limits.maxUncompressedBytes} bytes once uncompressed`);
    }
    throw new ArchiveRefused('not a gzip-compressed tar archive');
  }
}

async function parse(tarball: Buffer, onEntry: (entry: ReadEntry) => void): Promise<void> {
  let failure: unknown = null;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      try {
        if (!failure) onEntry(entry);
      } catch (err) {
        failure = err;
      }
      entry.resume();
    },
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('error', (err: Error) => reject(new ArchiveRefused(`not a valid tar archive (${err.message})`)));
    parser.on('end', () => resolve());
    parser.end(tarball);
  });
  if (failure) throw failure;
}

/** The one rule for an entry. */
function judge(entry: ReadEntry): void {
  const name = entry.path;
  const parts = checkPath(name, 'path');
  switch (entry.type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
    case 'Directory':
      return;
    case 'SymbolicLink': {
      const target = entry.linkpath ?? '';
      if (!target || path.posix.isAbsolute(target)) throw new ArchiveRefused(`"${name}" is a link to an absolute path`);
      const resolved = path.posix.normalize(path.posix.join(...parts.slice(0, -1), target));
      if (resolved === '..' || resolved.startsWith('../') || path.posix.isAbsolute(resolved)) throw new ArchiveRefused(`"${name}" is a link that leads out of the configuration`);
      return;
    }
    case 'Link':
      checkPath(entry.linkpath ?? '', `hard link target of "${name}"`);
      return;
    // pax / long-name headers describe the next entry; the parser folds them in
    case 'ExtendedHeader':
    case 'GlobalExtendedHeader':
    case 'NextFileHasLongPath':
    case 'NextFileHasLongLinkpath':
    case 'OldGnuLongPath':
      return;
    default:
      throw new ArchiveRefused(`"${name}" is a ${entry.type} entry; only files, directories and links inside the tree are allowed`);
  }
}

function checkPath(name: string, what: string): string[] {
  if (!name || name.includes('\0') || name.includes('\\')) throw new ArchiveRefused(`${what} "${name}" is not a plain relative path`);
  if (path.posix.isAbsolute(name) || /^[A-Za-z]:/.test(name)) throw new ArchiveRefused(`${what} "${name}" is absolute`);
  const parts = segments(name);
  if (parts.includes('..')) throw new ArchiveRefused(`${what} "${name}" leads out of the configuration (..)`);
  return parts;
}

function segments(p: string): string[] {
  return p.split('/').filter((s) => s !== '' && s !== '.');
}
