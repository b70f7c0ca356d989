import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A fake Slack Web API on loopback (the Slack SaaS is the one part of these tests we cannot
 * reach). It answers the Web API methods Atlantas calls in Slack's wire format — form-encoded
 * bodies whose objects (`blocks`) are JSON strings, or JSON bodies; the bot token as a bearer;
 * HTTP 200 with `{ok:false, error}` for failures; 429 with `Retry-After` when asked — records
 * every call, keeps the messages as chat.postMessage/chat.update left them, and receives what
 * the app POSTs to a `response_url`.
 */
export interface SlackCall {
  method: string;
  token: string | null;
  args: Record<string, any>;
  /** the HTTP status the fake answered */
  status: number;
  /** when it arrived (ms since the epoch) */
  at: number;
}

export interface FakeSlackUser {
  id: string;
  email?: string;
  /** Slack's is_email_confirmed; default true */
  emailConfirmed?: boolean;
  isBot?: boolean;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: any[];
  /** how many chat.update calls changed it */
  updates: number;
  /** the blocks of every version, oldest first */
  history: any[][];
  /** the ts of the message this one replies to (chat.postMessage's thread_ts) */
  threadTs?: string;
}

export interface FakeWorkspace {
  teamId: string;
  teamName: string;
  botToken: string;
  botUserId: string;
}

export interface FakeSlack {
  /** the Web API base, for ATLANTAS_SLACK_API_URL (ends in /api/) */
  apiUrl: string;
  url: string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** a workspace whose bot token the fake accepts */
  addWorkspace(ws?: Partial<FakeWorkspace>): FakeWorkspace;
  addUser(teamId: string, user: FakeSlackUser): void;
  /** the next `times` calls of `method` are answered 429 with Retry-After: `retryAfterSeconds` */
  rateLimit(method: string, retryAfterSeconds: number, times?: number): void;
  /** the next call of `method` is answered with this HTTP status (a 5xx outage) */
  failNext(method: string, status: number): void;
  /** an OAuth code oauth.v2.access exchanges for this workspace's bot token */
  oauthCode(code: string, ws: FakeWorkspace, client: { id: string; secret: string }): void;
  messages(channel?: string): FakeSlackMessage[];
  message(channel: string, ts: string): FakeSlackMessage | undefined;
  /** a fresh response_url on this fake; what is POSTed there is kept in `responses` */
  responseUrl(): string;
  responses(url: string): any[];
  /** chat.postMessage to this channel answers not_in_channel (a private channel the bot was not invited to) */
  closeChannel(channel: string): void;
  /** an app-level token (xapp-…) apps.connections.open accepts: Socket Mode */
  addAppToken(): string;
  /** resolves when a Socket Mode client is connected (after Slack's hello) */
  socketConnected(): Promise<void>;
  /** sends an envelope over the Socket Mode connection; resolves with the client's ack (`payload` is what it answered) */
  socketEnvelope(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>): Promise<{ envelope_id: string; payload?: any }>;
  close(): Promise<void>;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const fake = new FakeSlackServer();
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  fake.apiUrl = `${fake.url}/api/`;
  return fake;
}

type Handler = (args: Record<string, any>, ws: FakeWorkspace | null) => Record<string, unknown>;

class FakeSlackServer implements FakeSlack {
  url = '';
  apiUrl = '';
  readonly calls: SlackCall[] = [];
  private readonly workspaces = new Map<string, FakeWorkspace>();
  private readonly users = new Map<string, FakeSlackUser & { teamId: string }>();
  private readonly limits = new Map<string, { retryAfter: number; times: number }>();
  private readonly failures = new Map<string, number>();
  private readonly codes = new Map<string, { ws: FakeWorkspace; client: { id: string; secret: string } }>();
  private readonly posted: FakeSlackMessage[] = [];
  private readonly responseBodies = new Map<string, any[]>();
  private seq = 0;
  private readonly closedChannels = new Set<string>();
  private readonly appTokens = new Set<string>();
  private readonly acks = new Map<string, (ack: { envelope_id: string; payload?: any }) => void>();
  private socket: WebSocket | undefined;
  private connectedWaiters: (() => void)[] = [];
  readonly server = http.createServer((req, res) => {
    this.handle(req, res).catch((err) => send(res, 500, { ok: false, error: `fake_slack: ${(err as Error).message}` }));
  });
  private readonly wss = new WebSocketServer({ server: this.server, path: '/socket' }).on('connection', (socket) => {
    this.socket = socket;
    socket.on('message', (data) => {
      const ack = JSON.parse(data.toString('utf8'));
      this.acks.get(ack.envelope_id)?.(ack);
      this.acks.delete(ack.envelope_id);
    });
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
    });
    socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0FAKE' } }));
    for (const waiter of this.connectedWaiters.splice(0)) waiter();
  });

  closeChannel(channel: string): void {
    this.closedChannels.add(channel);
  }

  addAppToken(): string {
    const token = `xapp-1-A0FAKE-${randomBytes(8).toString('hex')}`;
    this.appTokens.add(token);
    return token;
  }

  socketConnected(): Promise<void> {
    return this.socket ? Promise.resolve() : new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  socketEnvelope(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>): Promise<{ envelope_id: string; payload?: any }> {
    if (!this.socket) throw new Error('fake Slack: no Socket Mode client is connected');
    const envelopeId = randomBytes(8).toString('hex');
    const acked = new Promise<{ envelope_id: string; payload?: any }>((resolve) => this.acks.set(envelopeId, resolve));
    this.socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
    return acked;
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  addWorkspace(ws: Partial<FakeWorkspace> = {}): FakeWorkspace {
    const n = this.workspaces.size + 1;
    const full: FakeWorkspace = {
      teamId: ws.teamId ?? `T${randomBytes(4).toString('hex').toUpperCase()}`,
      teamName: ws.teamName ?? `workspace ${n}`,
      botToken: ws.botToken ?? `xoxb-${randomBytes(12).toString('hex')}`,
      botUserId: ws.botUserId ?? `UBOT${n}`,
    };
    this.workspaces.set(full.botToken, full);
    return full;
  }

  addUser(teamId: string, user: FakeSlackUser): void {
    this.users.set(`${teamId}:${user.id}`, { ...user, teamId });
  }

  rateLimit(method: string, retryAfterSeconds: number, times = 1): void {
    this.limits.set(method, { retryAfter: retryAfterSeconds, times });
  }

  failNext(method: string, status: number): void {
    this.failures.set(method, status);
  }

  oauthCode(code: string, ws: FakeWorkspace, client: { id: string; secret: string }): void {
    this.codes.set(code, { ws, client });
  }

  messages(channel?: string): FakeSlackMessage[] {
    return this.posted.filter((m) => channel === undefined || m.channel === channel);
  }

  message(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.posted.find((m) => m.channel === channel && m.ts === ts);
  }

  responseUrl(): string {
    const url = `${this.url}/response/${randomBytes(8).toString('hex')}`;
    this.responseBodies.set(url, []);
    return url;
  }

  responses(url: string): any[] {
    return this.responseBodies.get(url) ?? [];
  }

  close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '').split('?')[0];
    if (path.startsWith('/response/')) {
      const list = this.responseBodies.get(`${this.url}${path}`);
      if (!list) return send(res, 404, 'no_such_response_url');
      list.push(JSON.parse(raw));
      return send(res, 200, 'ok');
    }
    const method = path.replace(/^\/api\//, '');
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof args.token === 'string' ? args.token : null);
    const call: SlackCall = { method, token, args, status: 200, at: Date.now() };
    this.calls.push(call);
    const limit = this.limits.get(method);
    if (limit && limit.times > 0) {
      limit.times--;
      call.status = 429;
      res.setHeader('Retry-After', String(limit.retryAfter));
      return send(res, 429, { ok: false, error: 'ratelimited' });
    }
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      call.status = failure;
      return send(res, failure, 'upstream error');
    }
    const handler = this.handlers[method];
    if (!handler) return send(res, 200, { ok: false, error: 'unknown_method' });
    if (method === 'apps.connections.open') {
      return send(res, 200, token && this.appTokens.has(token) ? { ok: true, url: `${this.url.replace(/^http/, 'ws')}/socket` } : { ok: false, error: 'invalid_auth' });
    }
    const ws = token ? (this.workspaces.get(token) ?? null) : null;
    if (!ws && method !== 'oauth.v2.access') return send(res, 200, { ok: false, error: token ? 'invalid_auth' : 'not_authed' });
    return send(res, 200, handler(args, ws));
  }

  private readonly handlers: Record<string, Handler> = {
    'auth.test': (_a, ws) => ({ ok: true, url: `https://${ws!.teamName}.slack.com/`, team: ws!.teamName, user: 'atlantas', team_id: ws!.teamId, user_id: ws!.botUserId, bot_id: `B${ws!.botUserId}` }),
    'chat.postMessage': (a) => {
      if (!a.channel) return { ok: false, error: 'channel_not_found' };
      if (this.closedChannels.has(a.channel)) return { ok: false, error: 'not_in_channel' };
      const ts = this.nextTs();
      const blocks = asBlocks(a.blocks);
      this.posted.push({ channel: a.channel, ts, text: a.text ?? '', blocks, updates: 0, history: [blocks], ...(a.thread_ts ? { threadTs: String(a.thread_ts) } : {}) });
      return { ok: true, channel: a.channel, ts, message: { text: a.text ?? '', blocks, ts } };
    },
    'chat.update': (a) => {
      const m = this.message(a.channel, a.ts);
      if (!m) return { ok: false, error: 'message_not_found' };
      m.text = a.text ?? m.text;
      m.blocks = asBlocks(a.blocks);
      m.updates++;
      m.history.push(m.blocks);
      return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
    },
    'chat.postEphemeral': (a) => (a.channel && a.user ? { ok: true, message_ts: this.nextTs() } : { ok: false, error: 'channel_not_found' }),
    'users.info': (a, ws) => {
      const u = this.users.get(`${ws!.teamId}:${a.user}`);
      return u ? { ok: true, user: userJson(u) } : { ok: false, error: 'user_not_found' };
    },
    'users.lookupByEmail': (a, ws) => {
      const u = [...this.users.values()].find((x) => x.teamId === ws!.teamId && x.email?.toLowerCase() === String(a.email).toLowerCase());
      return u ? { ok: true, user: userJson(u) } : { ok: false, error: 'users_not_found' };
    },
    'views.open': (a) => (a.trigger_id && a.view ? { ok: true, view: { id: `V${++this.seq}`, ...asObject(a.view) } } : { ok: false, error: 'invalid_arguments' }),
    'apps.connections.open': () => ({ ok: false, error: 'invalid_auth' }), // answered above, for app-level tokens only
    'oauth.v2.access': (a) => {
      const grant = this.codes.get(a.code);
      if (!grant) return { ok: false, error: 'invalid_code' };
      if (grant.client.id !== a.client_id || grant.client.secret !== a.client_secret) return { ok: false, error: 'invalid_client' };
      this.codes.delete(a.code);
      const { ws } = grant;
      return {
        ok: true, app_id: 'A0FAKE', authed_user: { id: 'UINSTALLER' }, scope: 'commands,chat:write,users:read,users:read.email',
        token_type: 'bot', access_token: ws.botToken, bot_user_id: ws.botUserId, team: { id: ws.teamId, name: ws.teamName }, enterprise: null, is_enterprise_install: false,
      };
    },
  };

  private nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
  }
}

function userJson(u: FakeSlackUser & { teamId: string }) {
  return {
    id: u.id, team_id: u.teamId, name: u.id.toLowerCase(), deleted: false, is_bot: !!u.isBot,
    is_email_confirmed: u.emailConfirmed ?? true, profile: { email: u.email, real_name: u.id },
  };
}

function parseArgs(raw: string, contentType: string): Record<string, any> {
  if (!raw) return {};
  if (contentType.startsWith('application/json')) return JSON.parse(raw);
  return { ...parseQuery(raw) };
}

function asBlocks(value: unknown): any[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? JSON.parse(value) : (value as any[]);
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'string' ? JSON.parse(value) : (value as Record<string, unknown>);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json; charset=utf-8' });
  res.end(text);
}
