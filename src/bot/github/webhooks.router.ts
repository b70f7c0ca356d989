import Router from '@koa/router';
import { Webhooks } from '@octokit/webhooks';
import getRawBody from 'raw-body';
import type { WebhookDeliveries } from '../../core/webhooks/webhook-deliveries.js';
import { AuthenticationError, InputError } from '../../core/errors.js';
import type { AppState } from '../../api/types.js';
import type { GitHubBot } from './github-bot.js';

export const GITHUB_EVENTS_PATH = /^\/events$/;
/** GitHub caps webhook payloads at 25 MB. */
const MAX_PAYLOAD = 25 * 1024 * 1024;

/**
 * POST /events: verifies the signature on the raw body (bad or missing → 401, nothing happens),
 * ignores a delivery id seen before, answers 202 at once and handles the event afterwards.
 */
export function githubWebhooksRouter(deps: { bot: GitHubBot; secret: string; deliveries: WebhookDeliveries }) {
  const router = new Router<AppState>();
  const webhooks = new Webhooks({ secret: deps.secret });

  router.post('/events', async (ctx) => {
    const body = await getRawBody(ctx.req, { limit: MAX_PAYLOAD, encoding: 'utf8' });
    const signature = ctx.get('x-hub-signature-256');
    if (!signature || !(await webhooks.verify(body, signature).catch(() => false))) {
      throw new AuthenticationError('invalid or missing X-Hub-Signature-256: check ATLANTAS_GH_WEBHOOK_SECRET', { code: 'invalid_signature' });
    }
    const event = ctx.get('x-github-event');
    const delivery = ctx.get('x-github-delivery');
    if (!event || !delivery) throw new InputError('missing X-GitHub-Event or X-GitHub-Delivery header', { code: 'validation_error' });
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(body);
    } catch {
      throw new InputError('webhook body is not valid JSON', { code: 'validation_error' });
    }
    if (!(await deps.deliveries.firstSeen(delivery, event))) {
      ctx.body = { detail: `delivery ${delivery} was already received; ignored` };
      return;
    }
    deps.bot.dispatch(event, payload, delivery);
    ctx.status = 202;
    ctx.body = { detail: 'accepted' };
  });
  return router;
}
