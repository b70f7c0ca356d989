import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The OAuth install flow starts in a browser, which carries no bearer token. An admin first gets
 * a ticket (POST /api/v1/slack/install-links); GET /slack/install accepts only a valid one, and the
 * OAuth state carries it back, so a workspace is only ever installed into the tenant of the admin
 * who asked. Signed with a key derived from ATLANTAS_ENCRYPTION_KEY; valid for 15 minutes.
 */
export const INSTALL_TICKET_TTL_MS = 15 * 60_000;

export interface InstallTicket {
  tenantId: string;
  userId: string;
  expiresAt: number;
}

export function signInstallTicket(key: Buffer, t: InstallTicket): string {
  const body = Buffer.from(JSON.stringify([t.tenantId, t.userId, t.expiresAt])).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The ticket when its signature is ours and it has not expired; else null. */
export function readInstallTicket(key: Buffer, ticket: string, now: number): InstallTicket | null {
  const [body, sig, extra] = ticket.split('.');
  if (!body || !sig || extra !== undefined) return null;
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const [tenantId, userId, expiresAt] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [string, string, number];
    return typeof expiresAt === 'number' && expiresAt > now ? { tenantId, userId, expiresAt } : null;
  } catch {
    return null;
  }
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(`slack-install:${body}`).digest('base64url');
}
