import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'atl_';

/** A new raw API token: shown to its owner once; only its SHA-256 is stored. */
export function generateRawToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(raw: string): string {
  return createHash('sha256').update(raw).digest('hex');
}

export function looksLikeApiToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX) && value.length > TOKEN_PREFIX.length + 20;
}
