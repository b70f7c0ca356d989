import type { Logger } from '../../logger.js';
import type { Clock } from '../clock.js';
import type { DeliveryResult, NotificationChannel } from './notification-channel.js';
import type { NotificationEvent } from './notification.js';
import { routeEvent } from './notification-routing.js';
import type { NotificationSettingsRepository } from './notification-settings.repository.js';
import type { OutboxRepository, OutboxRow } from './outbox.repository.js';

export interface DispatcherOptions {
  /** ATLANTAS_SLACK_CHANNEL: the default tenant's last-resort channel */
  serverDefaultChannel: string | null;
  defaultTenantSlug: string;
  /** the fallback look at the outbox (rows another replica published and could not deliver); publishes wake it at once */
  pollMs?: number;
  /** a claimed row whose replica died mid-delivery is claimed again after this long */
  leaseMs?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Delivers the outbox: claims due rows (SKIP LOCKED, committed before sending, so one row is sent
 * by one replica), routes each to its destination, hands it to its channel, and records the
 * outcome: delivered, retried with exponential backoff (or after the channel's Retry-After),
 * failed for good, or skipped when nobody is to be told.
 */
export class NotificationDispatcher {
  private readonly channels = new Map<string, NotificationChannel>();
  private readonly opts: Required<DispatcherOptions>;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private draining: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: { outbox: OutboxRepository; settings: NotificationSettingsRepository; clock: Clock; log: Logger }, options: DispatcherOptions) {
    this.opts = { pollMs: 15_000, leaseMs: 5 * 60_000, maxAttempts: 8, baseBackoffMs: 1000, maxBackoffMs: 10 * 60_000, ...options };
  }

  /** A front end's channel; events published from now on get a row for it. One per name. */
  register(channel: NotificationChannel): void {
    this.channels.set(channel.name, channel);
    this.wake();
  }

  channelNames(kind?: NotificationEvent['kind']): string[] {
    return [...this.channels.values()].filter((c) => !kind || !c.kinds || c.kinds.includes(kind)).map((c) => c.name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.draining;
  }

  /** Something was published (or is due): drain soon, once at a time. */
  wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.draining = this.loop().finally(() => (this.draining = undefined));
  }

  /** Delivers every row due at `now`; returns how many were processed. Tests call it with a moved clock. */
  async drain(at?: Date): Promise<number> {
    let processed = 0;
    for (;;) {
      const now = at ?? this.deps.clock.now();
      const rows = await this.deps.outbox.claim(this.channelNames(), now, 20, this.opts.leaseMs);
      if (!rows.length) return processed;
      for (const row of rows) {
        // a retry counts from the channel's answer: the moved clock a test gives, else the time it answered
        await this.deliver(row, () => at ?? this.deps.clock.now());
        processed++;
      }
    }
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.drain();
      } catch (err) {
        this.deps.log.warn({ err }, 'notification outbox drain failed; retrying later');
      }
    } while (this.again && this.running);
    if (!this.running) return;
    const due = await this.deps.outbox.nextDue(this.channelNames()).catch(() => null);
    const wait = due ? Math.max(10, Math.min(this.opts.pollMs, due.getTime() - this.deps.clock.now().getTime())) : this.opts.pollMs;
    this.timer = setTimeout(() => this.wake(), wait);
    this.timer.unref();
  }

  private async deliver(row: OutboxRow, clock: () => Date): Promise<void> {
    const channel = this.channels.get(row.channel)!;
    const route = channel.route ? await this.ownRoute(channel, row) : await this.route(row);
    if ('skip' in route) {
      await this.deps.outbox.settle(row.id, { status: 'skipped', lastError: route.skip });
      return;
    }
    let result: DeliveryResult;
    try {
      result = await channel.deliver(row.event, { tenantId: row.tenantId, destination: route.destination });
    } catch (err) {
      result = { outcome: 'retry', reason: (err as Error).message ?? String(err) };
    }
    const now = clock();
    const log = this.deps.log.child({ notification: row.id, kind: row.kind, channel: row.channel });
    if (result.outcome === 'delivered') {
      await this.deps.outbox.settle(row.id, { status: 'delivered', destination: route.destination, deliveredAt: now });
    } else if (result.outcome === 'retry' && row.attempts < this.opts.maxAttempts) {
      const delay = result.afterMs ?? Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** (row.attempts - 1));
      log.info({ attempt: row.attempts, retryInMs: delay, reason: result.reason }, 'notification not delivered; retrying');
      await this.deps.outbox.settle(row.id, { status: 'pending', destination: route.destination, lastError: result.reason, nextAttemptAt: new Date(now.getTime() + delay) });
    } else {
      log.warn({ attempt: row.attempts, reason: result.reason }, 'notification failed for good');
      await this.deps.outbox.settle(row.id, { status: 'failed', destination: route.destination, lastError: result.reason });
    }
  }

  private async ownRoute(channel: NotificationChannel, row: OutboxRow): Promise<{ destination: string } | { skip: string }> {
    const destination = await channel.route!(row.event);
    return destination ? { destination } : { skip: `the ${channel.name} channel has nowhere to tell this` };
  }

  private async route(row: OutboxRow) {
    const { settings } = this.deps;
    const project = row.projectId ? await settings.project(row.tenantId, row.projectId) : null;
    const tenantDefault = await settings.tenantDefault(row.tenantId);
    const isDefaultTenant = (await settings.tenantSlug(row.tenantId)) === this.opts.defaultTenantSlug;
    return routeEvent(row.event.kind, project, tenantDefault, isDefaultTenant ? this.opts.serverDefaultChannel : null);
  }
}
