import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret with the configured one in constant time: both are hashed first,
 * so neither the contents nor the length of the secret leak through timing. Empty never matches.
 */
export function sameSecret(given: string, secret: string): boolean {
  if (!given || !secret) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}
