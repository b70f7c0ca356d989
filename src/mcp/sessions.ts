import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Actor } from '../core/actor.js';

/** A session unused this long is closed when the next one opens (no timer outlives the server). */
const IDLE_MS = 30 * 60_000;

export interface McpSession {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  /** the agent token the session was opened with; any other token gets "Session not found" */
  tokenId: string;
  /** the person bound at initialize, whose inline answers count as approvals */
  approverUserId: string;
  /** refreshed on every request, so a demoted token acts with its new role at once */
  actor: Actor;
  lastUsed: number;
}

/**
 * Stateful MCP sessions, only for a client that declares elicitation and binds a person to the
 * session: the one case that needs a server-to-client channel. They live in this replica's
 * memory, so several replicas need routing by Mcp-Session-Id (or ATLANTAS_MCP_SESSIONS=false).
 */
export class McpSessions {
  private readonly sessions = new Map<string, McpSession>();

  /** The session, if it exists and belongs to this token. */
  find(id: string, tokenId: string | undefined): McpSession | null {
    const s = this.sessions.get(id);
    if (!s || s.tokenId !== tokenId) return null;
    s.lastUsed = Date.now();
    return s;
  }

  /**
   * A new session: its transport registers it once initialize succeeds and forgets it when it
   * closes; `build` makes its server, whose tools act as the session's current actor.
   */
  open(init: Pick<McpSession, 'tokenId' | 'approverUserId' | 'actor'>, build: (actor: () => Actor) => McpServer): McpSession {
    this.closeIdle();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void this.sessions.set(id, session),
      onsessionclosed: (id) => void this.sessions.delete(id),
    });
    const holder = { actor: init.actor };
    const session: McpSession = Object.assign(holder, { ...init, transport, server: build(() => holder.actor), lastUsed: Date.now() });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    return session;
  }

  private closeIdle(): void {
    const cutoff = Date.now() - IDLE_MS;
    for (const [id, s] of this.sessions) {
      if (s.lastUsed >= cutoff) continue;
      this.sessions.delete(id);
      void s.transport.close();
      void s.server.close();
    }
  }
}
