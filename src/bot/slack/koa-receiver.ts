import { parse as parseQuery } from 'node:querystring';
import Router from '@koa/router';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import getRawBody from 'raw-body';
import { InputError } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import type { AppState } from '../../api/types.js';
import { verifySlackSignature } from './slack-signature.js';

export const SLACK_EVENTS_PATH = /^\/slack\/events$/;

/** Slack waits 3 s for the HTTP answer; past this an unacknowledged request is answered empty. */
const ACK_DEADLINE_MS = 2500;

type AckBody = string | Record<string, unknown> | undefined;

/**
 * Bolt's Receiver for our Koa server: POST /slack/events (slash commands, interactivity and the
 * Events API on one path). It reads the raw body itself — the signature covers its exact bytes —
 * checks the v0 signature with the 5-minute window both ways (Bolt's own check lets future
 * timestamps through), answers ssl_check and url_verification, then hands the request to Bolt
 * and answers the HTTP request with what the listener's ack() gave, while the listener goes on.
 */
export class KoaSlackReceiver implements Receiver {
  private app: App | undefined;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly deps: { signingSecret: string; bodyLimit: number; log: Logger; now?: () => number }) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  /** Waits for the listeners still working after their ack (shutdown, tests). */
  async stop(): Promise<void> {
    await this.idle();
  }

  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  router(): Router<AppState> {
    const router = new Router<AppState>();
    router.post('/slack/events', async (ctx) => {
      const raw = await getRawBody(ctx.req, { limit: this.deps.bodyLimit });
      const form = ctx.is('application/x-www-form-urlencoded') !== false;
      const fields = form ? parseQuery(raw.toString('utf8')) : undefined;
      if (fields?.ssl_check === '1') {
        ctx.status = 200; // Slack's certificate check: unsigned, and nothing else in it is read
        ctx.body = '';
        return;
      }
      verifySlackSignature(this.deps.signingSecret, { timestamp: ctx.get('x-slack-request-timestamp'), signature: ctx.get('x-slack-signature') }, raw, (this.deps.now ?? Date.now)());
      const body = parseBody(raw, fields);
      if (body.type === 'url_verification') {
        ctx.body = { challenge: body.challenge };
        return;
      }
      const retryNum = ctx.get('x-slack-retry-num');
      const answer = await this.dispatch({ body, retryNum: retryNum ? Number(retryNum) : undefined, retryReason: ctx.get('x-slack-retry-reason') || undefined });
      ctx.status = 200;
      if (answer === undefined || answer === '') ctx.body = '';
      else ctx.body = answer;
    });
    return router;
  }

  private dispatch(event: Omit<ReceiverEvent, 'ack'>): Promise<AckBody> {
    const app = this.app;
    if (!app) throw new Error('the Slack receiver was not initialised by a Bolt app');
    return new Promise<AckBody>((resolve) => {
      let answered = false;
      const answer = (body: AckBody) => {
        if (answered) return false;
        answered = true;
        clearTimeout(timer);
        resolve(body);
        return true;
      };
      const timer = setTimeout(() => answer(undefined), ACK_DEADLINE_MS);
      const ack = async (response?: AckBody) => {
        if (!answer(response)) this.deps.log.warn('a Slack listener acknowledged twice or too late; the second answer is dropped');
      };
      const work = app.processEvent({ ...event, ack }).catch((err: unknown) => {
        this.deps.log.error({ err }, 'Slack request failed');
        answer(undefined);
      });
      this.inflight.add(work);
      void work.finally(() => this.inflight.delete(work));
    });
  }
}

function parseBody(raw: Buffer, fields: ReturnType<typeof parseQuery> | undefined): Record<string, any> {
  try {
    if (!fields) return JSON.parse(raw.toString('utf8'));
    return typeof fields.payload === 'string' ? JSON.parse(fields.payload) : { ...fields };
  } catch {
    throw new InputError('the Slack request body is not valid JSON', { code: 'validation_error' });
  }
}
