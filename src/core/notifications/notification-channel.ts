import type { NotificationEvent, NotificationKind } from './notification.js';

/** Where one message goes: the routed destination (a Slack channel id or name) inside the event's tenant. */
export interface NotificationTarget {
  tenantId: string;
  destination: string;
}

/**
 * What a delivery came to. `retry` is a transient failure (a 5xx, a timeout): the outbox backs off
 * exponentially, or waits `afterMs` when the service said how long (Slack's 429 Retry-After).
 * `permanent` stops retrying (a channel that does not exist, a revoked token).
 */
export type DeliveryResult =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; reason: string; afterMs?: number }
  | { outcome: 'permanent'; reason: string };

export const delivered = (): DeliveryResult => ({ outcome: 'delivered' });
export const retryLater = (reason: string, afterMs?: number): DeliveryResult => ({ outcome: 'retry', reason, afterMs });
export const permanentFailure = (reason: string): DeliveryResult => ({ outcome: 'permanent', reason });

/**
 * A front end that tells people (Slack), registered with the outbox at server start. `deliver`
 * renders the event from the current rows of its tenant and sends one message; it throws only on
 * a bug or a network error (treated as `retry`). A kind it does not render: return `delivered()`.
 */
export interface NotificationChannel {
  readonly name: string;
  /** the only kinds this channel tells (no outbox row for the others); every kind when absent */
  readonly kinds?: readonly NotificationKind[];
  /**
   * A channel that addresses its own destinations (a pull request rather than a chat channel):
   * where this event goes, or null when it has nowhere to go. Absent: the project's, tenant's or
   * server's channel settings decide (routeEvent).
   */
  route?(event: NotificationEvent): Promise<string | null>;
  deliver(event: NotificationEvent, target: NotificationTarget): Promise<DeliveryResult>;
}
