import type { DeliveryResult, NotificationChannel, NotificationTarget } from '../../../src/core/notifications/notification-channel.js';
import { delivered } from '../../../src/core/notifications/notification-channel.js';
import type { NotificationEvent } from '../../../src/core/notifications/notification.js';

export interface Delivery {
  event: NotificationEvent;
  target: NotificationTarget;
  at: Date;
  result: DeliveryResult;
}

/**
 * A NotificationChannel a test registers in place of Slack: records every delivery attempt and
 * answers what the test scripted (next results first, then delivered).
 */
export class RecordingChannel implements NotificationChannel {
  readonly attempts: Delivery[] = [];

  /** `script` may be shared by the channels of several replicas: whichever delivers next takes the next answer */
  constructor(readonly name = 'test', private readonly script: DeliveryResult[] = []) {}

  /** the answers of the next deliveries (on any channel sharing the script), in order */
  answer(...results: DeliveryResult[]): void {
    this.script.push(...results);
  }

  async deliver(event: NotificationEvent, target: NotificationTarget): Promise<DeliveryResult> {
    const result = this.script.shift() ?? delivered();
    this.attempts.push({ event, target, at: new Date(), result });
    return result;
  }

  /** the deliveries that succeeded, optionally only those of matching events */
  delivered(predicate: (e: NotificationEvent) => boolean = () => true): Delivery[] {
    return this.attempts.filter((a) => a.result.outcome === 'delivered' && predicate(a.event));
  }
}
