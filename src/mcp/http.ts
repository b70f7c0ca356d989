import Router from '@koa/router';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type Koa from 'koa';
import { isHuman, type Actor } from '../core/actor.js';
import { AuthenticationError, NotAllowedError, RateLimitedError } from '../core/errors.js';
import type { Core } from '../core/index.js';
import { credentialFrom } from '../api/actor-from-request.js';
import type { AppState } from '../api/types.js';
import { hostProblem } from './host-check.js';
import { createMcpServer } from './server.js';
import { McpSessions } from './sessions.js';

export const MCP_PATH = '/mcp';

export interface McpHttpOptions {
  /** ATLANTAS_MCP_READ_ONLY */
  readOnly: boolean;
  /** ATLANTAS_URL: the allowed Host, and the base of links in results */
  publicUrl?: string;
  /** ATLANTAS_MCP_SESSIONS: a client with elicitation may bind a person to a stateful session */
  sessions: boolean;
}

/** The person at the keyboard, bound to a session: their own credential, never the agent's token. */
export const APPROVER_HEADER = 'x-atlantas-approver';

/**
 * Streamable HTTP at /mcp, stateless by default: every POST gets its own server and transport,
 * built for the caller's agent token, so any replica answers and nothing of one caller outlives
 * its request. The one exception is a client that declares elicitation and binds a person with
 * the X-Atlantas-Approver header at initialize: it gets a session (sessions.ts), so apply_run can
 * ask that person inline.
 */
export function mcpRouter(core: Core, options: McpHttpOptions) {
  const router = new Router<AppState>();
  const sessions = new McpSessions();
  const baseUrl = (ctx: Koa.Context) => options.publicUrl ?? `${ctx.protocol}://${ctx.host}`;

  router.all(MCP_PATH, async (ctx) => {
    const actor = await authenticate(core, ctx, options.publicUrl);
    if (!actor) return;
    const log = ctx.state.log.child({ via: 'mcp', tokenId: actor.tokenId });
    const sessionId = ctx.get('mcp-session-id');
    if (sessionId) {
      const session = sessions.find(sessionId, actor.tokenId);
      if (!session) return rpcError(ctx, 404, 'Session not found: initialize again', {}, -32001);
      const approver = await bindableApprover(core, ctx, actor);
      if (approver === undefined) return;
      if (approver?.userId !== session.approverUserId) return rpcError(ctx, 403, `send the same ${APPROVER_HEADER} as when the session started`);
      session.actor = actor;
      ctx.respond = false;
      return session.transport.handleRequest(ctx.req, ctx.res, ctx.request.body);
    }
    if (ctx.method !== 'POST') return rpcError(ctx, 405, 'POST JSON-RPC messages to /mcp; GET and DELETE need the Mcp-Session-Id of a session', { Allow: 'POST' });
    const approver = options.sessions && wantsElicitation(ctx.request.body) ? await bindableApprover(core, ctx, actor) : null;
    if (approver === undefined) return; // a bad approver credential was answered
    if (approver) {
      const session = sessions.open({ tokenId: actor.tokenId!, approverUserId: approver.userId!, actor }, (current) =>
        createMcpServer({ core, actor: current, readOnly: options.readOnly, baseUrl: baseUrl(ctx), log, approver }));
      await session.server.connect(session.transport);
      ctx.respond = false;
      return session.transport.handleRequest(ctx.req, ctx.res, ctx.request.body);
    }
    const server = createMcpServer({ core, actor, readOnly: options.readOnly, baseUrl: baseUrl(ctx), log });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    ctx.respond = false;
    ctx.res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(ctx.req, ctx.res, ctx.request.body);
  });
  return router;
}

/** An initialize request whose client can answer elicitation forms. */
function wantsElicitation(body: unknown): boolean {
  const b = body as { method?: string; params?: { capabilities?: { elicitation?: unknown } } } | undefined;
  return b?.method === 'initialize' && !!b.params?.capabilities?.elicitation;
}

/**
 * The person named by X-Atlantas-Approver: null when the header is absent; undefined after
 * answering 403 when it is not a person of the agent's tenant (an agent cannot vouch for itself).
 */
async function bindableApprover(core: Core, ctx: Koa.ParameterizedContext<AppState>, agent: Actor): Promise<Actor | null | undefined> {
  const header = ctx.get(APPROVER_HEADER);
  if (!header) return null;
  try {
    const person = await core.auth.authenticate(credentialFrom(/^\S+\s/.test(header) ? header : `Bearer ${header}`), 'mcp');
    if (isHuman(person) && person.tenantId === agent.tenantId && person.userId) return person;
  } catch (err) {
    if (!(err instanceof AuthenticationError)) throw err;
  }
  rpcError(ctx, 403, `${APPROVER_HEADER} must carry a person's own login or API token in the agent's tenant, never an agent token`);
  return undefined;
}

/** The caller's agent actor, or null after answering 401/403 the way OAuth-aware MCP clients expect (RFC 6750). */
async function authenticate(core: Core, ctx: Koa.ParameterizedContext<AppState>, publicUrl?: string): Promise<Actor | null> {
  const bad = hostProblem({ host: ctx.get('host'), origin: ctx.get('origin') || undefined }, publicUrl);
  if (bad) {
    rpcError(ctx, 403, bad);
    return null;
  }
  try {
    return await core.auth.authenticateAgent(credentialFrom(ctx.get('authorization') || undefined));
  } catch (err) {
    if (err instanceof NotAllowedError) {
      rpcError(ctx, 403, err.message, { 'WWW-Authenticate': 'Bearer realm="atlantas", error="insufficient_scope", scope="mcp:read mcp:write"' });
      return null;
    }
    if (err instanceof AuthenticationError) {
      const error = ctx.get('authorization') ? ', error="invalid_token"' : '';
      rpcError(ctx, 401, `${err.message}; use an API token with scope mcp:read or mcp:write`, { 'WWW-Authenticate': `Bearer realm="atlantas"${error}, scope="mcp:read mcp:write"` });
      return null;
    }
    if (err instanceof RateLimitedError) {
      rpcError(ctx, 429, err.message, { 'Retry-After': String(err.retryAfterSeconds) });
      return null;
    }
    throw err;
  }
}

function rpcError(ctx: Koa.Context, status: number, message: string, headers: Record<string, string> = {}, code = -32000): void {
  ctx.set(headers);
  ctx.status = status;
  ctx.body = { jsonrpc: '2.0', error: { code, message }, id: null };
}
