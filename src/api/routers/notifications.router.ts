import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import type { OutboxRow } from '../../core/notifications/outbox.repository.js';
import { NotificationSettingsInput } from '../../core/notifications/notification.schemas.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';

export const notificationJson = (n: OutboxRow) => ({
  id: n.id, kind: n.kind, channel: n.channel, project_id: n.projectId, event: n.event, status: n.status, attempts: n.attempts,
  destination: n.destination, last_error: n.lastError, next_attempt_at: n.nextAttemptAt.toISOString(), delivered_at: n.deliveredAt?.toISOString() ?? null,
});

/** The tenant's notification settings (its default channel) and its outbox (what was told). */
export function notificationsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/notifications' });
  router.use(requireActor(core));
  router.get('/settings', async (ctx) => {
    ctx.body = { default_channel: await core.notifications.defaultChannel(ctx.state.actor) };
  });
  router.put('/settings', async (ctx) => {
    const input = parse(NotificationSettingsInput, ctx.request.body);
    ctx.body = { default_channel: await core.notifications.setDefaultChannel(ctx.state.actor, input.default_channel) };
  });
  router.get('/', async (ctx) => {
    ctx.body = (await core.notifications.outbox(ctx.state.actor)).map(notificationJson);
  });
  return router;
}
