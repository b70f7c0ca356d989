import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '../../core/errors.js';

/** Slack's replay window. Bolt refuses only old timestamps; a timestamp from the future is refused here too. */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

/**
 * Checks Slack's v0 request signature: `v0=` + HMAC-SHA256(signing secret, `v0:<ts>:<raw body>`),
 * compared in constant time, with the timestamp within 5 minutes of now either way. Throws
 * AuthenticationError (→ 401) saying which check failed, never what the right signature is.
 */
export function verifySlackSignature(secret: string, headers: { timestamp?: string; signature?: string }, rawBody: Buffer, nowMs: number): void {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) {
    throw new AuthenticationError('missing X-Slack-Request-Timestamp or X-Slack-Signature', { code: 'invalid_signature' });
  }
  const ts = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - ts) > SIGNATURE_WINDOW_SECONDS) {
    throw new AuthenticationError('X-Slack-Request-Timestamp is more than 5 minutes from now (a replay, or a clock to fix)', { code: 'invalid_signature' });
  }
  const mac = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex');
  const expected = Buffer.from(`v0=${mac}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AuthenticationError('invalid X-Slack-Signature: check SLACK_SIGNING_SECRET', { code: 'invalid_signature' });
  }
}
