import Router from '@koa/router';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type Koa from 'koa';
import type { Actor } from '../core/actor.js';
import { AuthenticationError, NotAllowedError, RateLimitedError } from '../core/errors.js';
import type { Core } from '../core/index.js';
import { credentialFrom } from '../api/actor-from-request.js';
import type { AppState } from '../api/types.js';
import { hostProblem } from './host-check.js';
import { createMcpServer } from './server.js';

export const MCP_PATH = '/mcp';

export interface McpHttpOptions {
  /** ATLANTAS_MCP_READ_ONLY */
  readOnly: boolean;
  /** ATLANTAS_URL: the allowed Host, and the base of links in results */
  publicUrl?: string;
}

/**
 * Streamable HTTP at /mcp, stateless: every POST gets its own server and transport, built for
 * the caller's agent token, so any replica answers and nothing of one caller outlives its
 * request. There is no server-to-client stream (GET) and no session to end (DELETE).
 */
export function mcpRouter(core: Core, options: McpHttpOptions) {
  const router = new Router<AppState>();
  router.post(MCP_PATH, async (ctx) => {
    const actor = await authenticate(core, ctx, options.publicUrl);
    if (!actor) return;
    const log = ctx.state.log.child({ via: 'mcp', token: actor.tokenId });
    const server = createMcpServer({ core, actor, readOnly: options.readOnly, baseUrl: options.publicUrl ?? `${ctx.protocol}://${ctx.host}`, log });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    ctx.respond = false;
    ctx.res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(ctx.req, ctx.res, ctx.request.body);
  });
  router.get(MCP_PATH, (ctx) => rpcError(ctx, 405, 'this server is stateless: POST JSON-RPC messages to /mcp; there is no event stream to GET', { Allow: 'POST' }));
  router.delete(MCP_PATH, (ctx) => rpcError(ctx, 405, 'this server is stateless: there is no session to end', { Allow: 'POST' }));
  return router;
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

function rpcError(ctx: Koa.Context, status: number, message: string, headers: Record<string, string> = {}): void {
  ctx.set(headers);
  ctx.status = status;
  ctx.body = { jsonrpc: '2.0', error: { code: -32001, message }, id: null };
}
