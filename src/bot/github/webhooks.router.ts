import Router from '@koa/router';
import type Koa from 'koa';
import { Webhooks } from '@octokit/webhooks';
import getRawBody from 'raw-body';
import type { WebhookDeliveries } from '../../core/webhooks/webhook-deliveries.js';
import { AuthenticationError, InputError, NotFoundError } from '../../core/errors.js';
import type { GitHubAppsService } from '../../core/github-apps/github-apps.service.js';
import type { AppState } from '../../api/types.js';
import type { GitHubBot } from './github-bot.js';

export const GITHUB_EVENTS_PATH = /^\/events(\/[0-9]{1,20})?$/;

const PAYLOAD_TOO_LARGE = (limit: number) =>
  Object.assign(new Error(`webhook body is larger than ${limit} bytes (ATLANTAS_WEBHOOK_BODY_LIMIT)`), { status: 413, expose: true });

export interface WebhooksRouterDeps {
  bot: GitHubBot;
  /** who registered which installation, checking signatures with that registration's secret */
  apps: Pick<GitHubAppsService, 'deliveryTenant' | 'installationChanged'>;
  deliveries: WebhookDeliveries;
  bodyLimit: number;
  /** the server-wide webhook (ATLANTAS_GH_WEBHOOK_SECRET), acting in the default tenant; absent when not configured */
  server?: {
    secret: string;
    tenantId: string;
    /** ATLANTAS_GH_INSTALLATION_ID: the server's own App installation; deliveries of another unregistered one are refused */
    installationId?: string;
  };
}

/**
 * POST /events (and POST /events/{app_id}, for setups with one URL per App). Everything that can
 * be refused without the body is refused first — a missing event or delivery header, a declared
 * length over the limit — so an unauthenticated sender cannot make us buffer 25 MB. Then the
 * delivery finds its tenant: the one that registered its `installation.id` (its signature checked
 * with that registration's webhook secret), else the server-wide webhook's default tenant (its
 * signature checked with ATLANTAS_GH_WEBHOOK_SECRET; not on /events/{app_id}). A delivery of an
 * installation nobody registered that the server-wide secret does not sign is refused before any
 * tenant is looked at. A delivery id seen before is ignored; the event is handled after the 202.
 */
export function githubWebhooksRouter(deps: WebhooksRouterDeps) {
  const router = new Router<AppState>();
  const serverHooks = deps.server && new Webhooks({ secret: deps.server.secret });

  const receive = async (ctx: Koa.ParameterizedContext<AppState>, appId?: string) => {
    const event = ctx.get('x-github-event');
    const delivery = ctx.get('x-github-delivery');
    if (!event || !delivery) throw new InputError('missing X-GitHub-Event or X-GitHub-Delivery header', { code: 'validation_error' });
    const signature = ctx.get('x-hub-signature-256');
    if (!signature) throw new AuthenticationError('missing X-Hub-Signature-256: the App (or ATLANTAS_GH_WEBHOOK_SECRET) must have a webhook secret', { code: 'invalid_signature' });
    const declared = Number(ctx.get('content-length') || NaN);
    if (declared > deps.bodyLimit) throw PAYLOAD_TOO_LARGE(deps.bodyLimit);
    const body = await getRawBody(ctx.req, { limit: deps.bodyLimit, encoding: 'utf8' }).catch((err: { type?: string }) => {
      throw err.type === 'entity.too.large' ? PAYLOAD_TOO_LARGE(deps.bodyLimit) : err;
    });
    let payload: Record<string, any>;
    try {
      payload = JSON.parse(body);
    } catch {
      throw new InputError('webhook body is not valid JSON', { code: 'validation_error' });
    }
    const { tenantId, registered } = await deliveryTenant(deps, serverHooks, { body, signature, appId, installationId: installationOf(payload) });
    if (!(await deps.deliveries.firstSeen(delivery, event))) {
      ctx.body = { detail: `delivery ${delivery} was already received; ignored` };
      return;
    }
    // Repositories added to or removed from a registered installation: what it reaches is listed again (never taken from the payload).
    if (registered && event.startsWith('installation')) void deps.apps.installationChanged(registered, { deleted: event === 'installation' && payload.action === 'deleted' });
    deps.bot.dispatch(event, payload, delivery, tenantId);
    ctx.status = 202;
    ctx.body = { detail: 'accepted' };
  };

  router.post('/events', refusalsCounted(deps.deliveries), (ctx) => receive(ctx));
  router.post('/events/:appId', refusalsCounted(deps.deliveries), (ctx) => {
    if (!/^[0-9]{1,20}$/.test(ctx.params.appId)) throw new NotFoundError('no such webhook URL: expected /events or /events/{app_id}', { code: 'not_found' });
    return receive(ctx, ctx.params.appId);
  });
  return router;
}

function installationOf(payload: Record<string, any>): string | undefined {
  const id = payload?.installation?.id;
  return typeof id === 'number' || typeof id === 'string' ? String(id) : undefined;
}

/** The tenant the delivery acts in, its signature verified; a refusal names what is wrong. */
async function deliveryTenant(
  deps: WebhooksRouterDeps, serverHooks: Webhooks | undefined,
  d: { body: string; signature: string; appId?: string; installationId?: string },
): Promise<{ tenantId: string; registered?: string }> {
  const found = await deps.apps.deliveryTenant(d);
  if (found) return { tenantId: found.tenantId, registered: found.installationId };
  const server = deps.server;
  const serverMayTake = server && serverHooks && d.appId === undefined && (!server.installationId || !d.installationId || d.installationId === server.installationId);
  if (!serverMayTake) {
    const what = d.installationId ? `installation ${d.installationId}` : 'a delivery without an installation';
    throw new NotFoundError(`${what} is not registered${d.appId ? ` for App ${d.appId}` : ''}: a tenant admin registers it with POST /api/v1/github/apps`, { code: 'github.unknown_installation' });
  }
  if (!(await serverHooks.verify(d.body, d.signature).catch(() => false))) {
    throw new AuthenticationError('invalid X-Hub-Signature-256: check ATLANTAS_GH_WEBHOOK_SECRET (or register the installation with its App\'s webhook secret)', { code: 'invalid_signature' });
  }
  return { tenantId: server.tenantId };
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
      else if (err instanceof NotFoundError) deliveries.refused('unknown_installation');
      else if (err instanceof InputError || status === 400) deliveries.refused('bad_request');
      throw err;
    }
  };
}
