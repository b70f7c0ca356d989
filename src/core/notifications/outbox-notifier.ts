import type { Notifier, NotificationEvent, PublishOptions } from './notification.js';
import type { NotificationDispatcher } from './notification-dispatcher.js';
import type { OutboxRepository } from './outbox.repository.js';

/**
 * The `Notifier` core publishes through: a row per registered channel in the outbox, inside the
 * publisher's transaction when it has one (no message for work that rolled back), and a wake of
 * this replica's dispatcher once it is committed, and of the other replicas' (`announce`: the
 * run events' LISTEN/NOTIFY), so a replica that dies right after publishing leaves nothing
 * waiting for a poll. Without a registered channel nothing is kept.
 */
export class OutboxNotifier implements Notifier {
  /** tells the other replicas (set once the run engine's events exist) */
  announce: () => void = () => {};
  /**
   * told of every published event once it is committed, whatever the channels (TFE notification
   * configurations turn run and drift events into deliveries of their own); must not throw
   */
  observe: (event: NotificationEvent) => void = () => {};

  constructor(private readonly deps: { outbox: OutboxRepository; dispatcher: NotificationDispatcher }) {}

  async publish(event: NotificationEvent, options: PublishOptions = {}): Promise<void> {
    if (options.transaction) options.transaction.afterCommit(() => this.observe(event));
    else this.observe(event);
    const channels = this.deps.dispatcher.channelNames(event.kind);
    if (!channels.length) return;
    const inserted = await this.deps.outbox.insert(event, channels, options.dedupeKey ?? null, options.transaction);
    if (!inserted) return;
    const wake = () => {
      this.deps.dispatcher.wake();
      this.announce();
    };
    if (options.transaction) options.transaction.afterCommit(wake);
    else wake();
  }
}
