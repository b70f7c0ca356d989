import { createHash, randomInt } from 'node:crypto';

/**
 * One-time codes that link a Slack user to the Atlantas user who asked for the code. Short enough
 * to type in `/atlantas link ABCD-EFGH`, from an alphabet without look-alikes (no 0/O, 1/I/L);
 * 8 of 31 symbols are about 40 bits, spent once, within 10 minutes, in one tenant.
 */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const LINK_CODE_TTL_MS = 10 * 60_000;

export function generateLinkCode(): string {
  const chars = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

/** What is stored and compared: the code without case, spaces or dashes, hashed. */
export function hashLinkCode(code: string): string {
  return createHash('sha256').update(`slack-link:${code.replace(/[\s-]/g, '').toUpperCase()}`).digest('hex');
}
