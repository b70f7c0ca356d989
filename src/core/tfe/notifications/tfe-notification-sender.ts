import nodemailer from 'nodemailer';
import { InputError } from '../../errors.js';
import { outboundFetch, type OutboundPolicy } from '../../outbound/outbound-guard.js';
import { emailMessage, payloadV1, signature, slackBody, type NotificationFacts } from './tfe-notification-payload.js';
import type { DestinationType } from './tfe-notification.schemas.js';

export interface SmtpOptions {
  /** ATLANTAS_SMTP_URL: smtp://user:password@host:587 or smtps://host:465 */
  url: string;
  /** ATLANTAS_SMTP_FROM */
  from: string;
}

/** How one send went: what the destination answered (status and a short excerpt), and whether to try again. */
export interface SendResult {
  outcome: 'delivered' | 'retry' | 'permanent';
  code: number | null;
  body: string;
  reason?: string;
}

const EXCERPT = 500;

/**
 * Sends one notification to a configuration's destination: the generic payload signed with
 * HMAC-SHA512, a Slack incoming-webhook body, or an email through the operator's SMTP server.
 * A tenant's URL passes the outbound guard at every send (no redirect followed); each send is
 * bounded by `timeoutMs`. 5xx, 429, timeouts and network errors are worth a retry; the rest is final.
 */
export class TfeNotificationSender {
  constructor(private readonly deps: { policy: OutboundPolicy; smtp: SmtpOptions | null; timeoutMs: number }) {}

  get emailAvailable(): boolean {
    return !!this.deps.smtp;
  }

  async send(c: { destinationType: DestinationType; emailAddresses: string[] }, secrets: { url: string | null; token: string | null }, facts: NotificationFacts): Promise<SendResult> {
    if (c.destinationType === 'email') return this.email(c.emailAddresses, facts);
    if (!secrets.url) return { outcome: 'permanent', code: null, body: '', reason: 'the configuration has no url' };
    const body = JSON.stringify(c.destinationType === 'slack' ? slackBody(facts) : payloadV1(facts));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Atlantas-Notifications/1' };
    if (c.destinationType === 'generic' && secrets.token) headers['x-tfe-notification-signature'] = signature(secrets.token, body);
    return this.post(secrets.url, headers, body, c.destinationType);
  }

  private async post(url: string, headers: Record<string, string>, body: string, type: DestinationType): Promise<SendResult> {
    let res: Response;
    try {
      res = await outboundFetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.deps.timeoutMs) }, this.deps.policy, `${type} notification url`);
    } catch (err) {
      if (err instanceof InputError) return { outcome: 'permanent', code: null, body: '', reason: err.message };
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      return { outcome: 'retry', code: null, body: '', reason: timedOut ? `no answer within ${this.deps.timeoutMs} ms` : `could not connect: ${(err as Error).message}` };
    }
    const text = (await res.text().catch(() => '')).slice(0, EXCERPT);
    if (res.ok) return { outcome: 'delivered', code: res.status, body: text };
    const reason = `the destination answered ${res.status}`;
    if (res.status >= 500 || res.status === 429 || res.status === 408) return { outcome: 'retry', code: res.status, body: text, reason };
    if (res.status >= 300 && res.status < 400) return { outcome: 'permanent', code: res.status, body: text, reason: `${reason}, a redirect, which is not followed` };
    return { outcome: 'permanent', code: res.status, body: text, reason };
  }

  private async email(to: string[], facts: NotificationFacts): Promise<SendResult> {
    const smtp = this.deps.smtp;
    if (!smtp) return { outcome: 'permanent', code: null, body: '', reason: 'no SMTP server is configured (ATLANTAS_SMTP_URL)' };
    const ms = this.deps.timeoutMs;
    const transport = nodemailer.createTransport({ url: smtp.url, connectionTimeout: ms, greetingTimeout: ms, socketTimeout: ms });
    try {
      const { subject, text } = emailMessage(facts);
      const info = await transport.sendMail({ from: smtp.from, to, subject, text });
      return { outcome: 'delivered', code: 250, body: String(info.response ?? '').slice(0, EXCERPT) };
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode ?? null;
      const reason = `the SMTP server refused: ${String((err as Error).message).slice(0, EXCERPT)}`;
      // 5xx is a permanent refusal; 4xx and connection trouble are worth another try
      return { outcome: code !== null && code >= 500 ? 'permanent' : 'retry', code, body: '', reason };
    } finally {
      transport.close();
    }
  }
}
