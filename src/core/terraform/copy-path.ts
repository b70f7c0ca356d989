import path from 'node:path';
import { InputError } from '../errors.js';

/**
 * Where a working copy lives: `<root>/<tenantId>/<owner>/<repo>/<key>/<workspace>`. Each segment
 * is checked (no separators, no `.`/`..`, no NUL) and then encoded so that any other character
 * is safe on disk and two different names never share a directory. Pure.
 */

const SAFE = /^[A-Za-z0-9_-]$/;

/** Percent-encodes every character outside [A-Za-z0-9_.-], and a leading dot. Injective. */
export function encodeSegment(value: string): string {
  let out = '';
  for (const ch of value) {
    const keep = SAFE.test(ch) || (ch === '.' && out !== '');
    out += keep ? ch : [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** Refuses what could escape the root, naming the field; returns the encoded segment. */
export function checkSegment(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new InputError(`${field} must be a non-empty string`);
  if (value === '.' || value === '..' || /[/\\\0]/.test(value)) {
    throw new InputError(`${field} "${printable(value)}" is not allowed: it cannot be "." or ".." or contain "/", "\\" or NUL`);
  }
  const encoded = encodeSegment(value);
  if (encoded.length > 200) throw new InputError(`${field} is too long (at most 200 characters once encoded)`);
  return encoded;
}

/** `owner/repo` as GitHub spells them (letters, digits, `-`, `_`, `.`), lower-cased: GitHub names are case-insensitive. */
export function splitRepoFullName(repoFullName: unknown): { owner: string; repo: string } {
  const parts = typeof repoFullName === 'string' ? repoFullName.split('/') : [];
  const valid = parts.length === 2 && parts.every((p) => /^[A-Za-z0-9_.-]+$/.test(p) && p !== '.' && p !== '..');
  if (!valid) {
    throw new InputError(`repository "${printable(String(repoFullName))}" is invalid: expected owner/repo (letters, digits, "-", "_", ".")`);
  }
  return { owner: parts[0].toLowerCase(), repo: parts[1].toLowerCase() };
}

export interface CopyLocation {
  tenantId: string;
  repoFullName: string;
  key: string;
  workspace?: string;
}

/** The directory for a location (without workspace: the key directory holding all of them). */
export function copyDir(root: string, loc: CopyLocation): string {
  const { owner, repo } = splitRepoFullName(loc.repoFullName);
  const segments = [checkSegment('tenantId', loc.tenantId), checkSegment('owner', owner), checkSegment('repo', repo), checkSegment('key', loc.key)];
  if (loc.workspace !== undefined) segments.push(checkSegment('workspace', loc.workspace));
  const base = path.resolve(root);
  const dir = path.resolve(base, ...segments);
  if (!dir.startsWith(base + path.sep)) throw new InputError('working copy path escapes the data directory');
  return dir;
}

function printable(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 100);
}
