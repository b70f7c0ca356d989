import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import type { TfeNotificationView } from '../../core/tfe/notifications/tfe-notifications.service.js';
import { NotificationDocument, notificationSettings } from '../../core/tfe/notifications/tfe-notification.schemas.js';
import { requireActor } from '../actor-from-request.js';
import { iso } from '../presenters/iso.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { send, type Resource } from './jsonapi.js';

/** TFE notification configurations of a workspace: list, create, show, update, delete, actions/verify. */
export function tfeNotificationConfigurationsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v2' });
  const nc = core.tfe.notifications;
  router.use(requireActor(core, 'tfe'));

  router.get('/workspaces/:id/notification-configurations', async (ctx) => {
    send(ctx, 200, (await nc.list(ctx.state.actor, ctx.params.id)).map(notificationConfigurationResource));
  });
  router.post('/workspaces/:id/notification-configurations', async (ctx) => {
    const settings = notificationSettings(parse(NotificationDocument, ctx.request.body));
    send(ctx, 201, notificationConfigurationResource(await nc.create(ctx.state.actor, ctx.params.id, settings)));
  });
  router.get('/notification-configurations/:id', async (ctx) => {
    send(ctx, 200, notificationConfigurationResource(await nc.get(ctx.state.actor, ctx.params.id)));
  });
  router.patch('/notification-configurations/:id', async (ctx) => {
    const settings = notificationSettings(parse(NotificationDocument, ctx.request.body));
    send(ctx, 200, notificationConfigurationResource(await nc.update(ctx.state.actor, ctx.params.id, settings)));
  });
  router.delete('/notification-configurations/:id', async (ctx) => {
    await nc.delete(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  router.post('/notification-configurations/:id/actions/verify', async (ctx) => {
    send(ctx, 200, notificationConfigurationResource(await nc.verify(ctx.state.actor, ctx.params.id)));
  });
  return router;
}

/** TFC's shape; the token is never shown (`has-token`), nor a Slack webhook URL (`has-url`). */
export function notificationConfigurationResource(c: TfeNotificationView): Resource {
  return {
    id: c.id,
    type: 'notification-configurations',
    attributes: {
      name: c.name, 'destination-type': c.destinationType, enabled: c.enabled, triggers: c.triggers, url: c.url, token: null,
      'has-token': c.hasToken, 'has-url': c.hasUrl, 'email-addresses': c.emailAddresses, 'delivery-responses': c.deliveryResponses,
      'created-at': iso(c.createdAt), 'updated-at': iso(c.updatedAt),
    },
    relationships: { subscribable: { data: { id: c.workspaceId, type: 'workspaces' } } },
  };
}
