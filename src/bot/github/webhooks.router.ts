import Router from '@koa/router';
import type Koa from 'koa';
import { Webhooks } from '@octokit/webhooks';
import getRawBody from 'raw-body';
import type { WebhookDeliveries } from '../../core/webhooks/webhook-deliveries.js';
import { AuthenticationError, InputError } from '../../core/errors.js';
import type { AppState } from '../../api/types.js';
import type { GitHubBot } from './github-bot.js';

export const GITHUB_EVENTS_PATH = /^\/events$/;

const PAYLOAD_TOO_LARGE = (limit: number) =>
  Object.assign(new Error(`webhook body is larger than ${limit} bytes (ATLANTAS_WEBHOOK_BODY_LIMIT)`), { status: 413, expose: true });

/**
 * POST /events. Everything that can be refused without the body is refused first — a missing
 * event or delivery header, a declared length over the limit — so an unauthenticated sender
 * cannot make us buffer 25 MB; then the signature is verified on the raw body (bad or missing →
 * 401, nothing happens), a delivery id seen before is ignored, and the event is handled after
 * the 202.
 */
export function githubWebhooksRouter(deps: { bot: GitHubBot; secret: string; deliveries: WebhookDeliveries; bodyLimit: number }) {
  const router = new Router<AppState>();
  const webhooks = new Webhooks({ secret: deps.secret });

  router.post('/events', refusalsCounted(deps.deliveries), async (ctx) => {
    const event = ctx.get('x-github-event');
    const delivery = ctx.get('x-github-delivery');
    if (!event || !delivery) throw new InputError('missing X-GitHub-Event or X-GitHub-Delivery header', { code: 'validation_error' });
    const signature = ctx.get('x-hub-signature-256');
    if (!signature) throw new AuthenticationError('missing X-Hub-Signature-256: check ATLANTAS_GH_WEBHOOK_SECRET', { code: 'invalid_signature' });
    const declared = Number(ctx.get('content-length') || NaN);
    if (declared > deps.bodyLimit) throw PAYLOAD_TOO_LARGE(deps.bodyLimit);
    const body = await getRawBody(ctx.req, { limit: deps.bodyLimit, encoding: 'utf8' }).catch((err: { type?: string }) => {
      throw err.type === 'entity.too.large' ? PAYLOAD_TOO_LARGE(deps.bodyLimit) : err;
    });
    if (!(await webhooks.verify(body, signature).catch(() => false))) {
      throw new AuthenticationError('invalid X-Hub-Signature-256: check ATLANTAS_GH_WEBHOOK_SECRET', { code: 'invalid_signature' });
    }
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

/** Every refused delivery is counted by why (the accepted and duplicate ones by the deliveries ledger). */
function refusalsCounted(deliveries: WebhookDeliveries): Koa.Middleware {
  return async (_ctx, next) => {
    try {
      await next();
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (err instanceof AuthenticationError) deliveries.refused('invalid_signature');
      else if (status === 413) deliveries.refused('too_large');
      else if (err instanceof InputError || status === 400) deliveries.refused('bad_request');
      throw err;
    }
  };
}
