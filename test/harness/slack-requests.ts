import { createHmac } from 'node:crypto';
import { stringify } from 'node:querystring';
import { request, type HttpResponse } from './http.js';

/**
 * Requests to POST /slack/events exactly as Slack sends them: form-encoded slash commands,
 * interactivity as a form with one JSON `payload` field, Events API as JSON, each signed with
 * the v0 scheme (`v0:<timestamp>:<raw body>`, HMAC-SHA256 with the signing secret).
 */
export interface SignOptions {
  secret: string;
  /** seconds since the epoch; now by default */
  timestamp?: number;
  /** send this signature instead of the right one */
  signature?: string;
}

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export async function postSlack(baseUrl: string, body: string, contentType: string, options: SignOptions): Promise<HttpResponse> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return request(baseUrl, 'POST', '/slack/events', {
    rawBody: body,
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(options.secret, timestamp, body),
    },
  });
}

export interface SlashCommand {
  teamId: string;
  userId: string;
  text: string;
  responseUrl: string;
  channelId?: string;
  command?: string;
}

/** The form body of a slash command, with every field Slack sends. */
export function slashCommandBody(c: SlashCommand): string {
  return stringify({
    token: 'deprecated-verification-token', team_id: c.teamId, team_domain: 'acme', channel_id: c.channelId ?? 'C0INFRA', channel_name: 'infra',
    user_id: c.userId, user_name: c.userId.toLowerCase(), command: c.command ?? '/atlantas', text: c.text, api_app_id: 'A0FAKE',
    is_enterprise_install: 'false', response_url: c.responseUrl, trigger_id: `${Date.now()}.trigger`,
  });
}

export function sendSlashCommand(baseUrl: string, c: SlashCommand, options: SignOptions): Promise<HttpResponse> {
  return postSlack(baseUrl, slashCommandBody(c), 'application/x-www-form-urlencoded', options);
}

export interface BlockAction {
  teamId: string;
  userId: string;
  actionId: string;
  value: string;
  channelId: string;
  messageTs: string;
  responseUrl: string;
}

/** A block_actions payload (a button click on a message), form-encoded as `payload=<json>`. */
export function blockActionBody(a: BlockAction): string {
  const payload = {
    type: 'block_actions', team: { id: a.teamId, domain: 'acme' }, user: { id: a.userId, username: a.userId.toLowerCase(), team_id: a.teamId },
    api_app_id: 'A0FAKE', token: 'deprecated-verification-token', container: { type: 'message', message_ts: a.messageTs, channel_id: a.channelId, is_ephemeral: false },
    trigger_id: `${Date.now()}.trigger`, channel: { id: a.channelId, name: 'infra' },
    message: { type: 'message', ts: a.messageTs, text: '', blocks: [] }, response_url: a.responseUrl,
    actions: [{ type: 'button', action_id: a.actionId, block_id: 'run_actions', value: a.value, action_ts: `${Date.now() / 1000}` }],
    is_enterprise_install: false, enterprise: null,
  };
  return stringify({ payload: JSON.stringify(payload) });
}

export function sendBlockAction(baseUrl: string, a: BlockAction, options: SignOptions): Promise<HttpResponse> {
  return postSlack(baseUrl, blockActionBody(a), 'application/x-www-form-urlencoded', options);
}
