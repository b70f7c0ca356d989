import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MCP_PATH } from './http.js';

export interface StdioProxyOptions {
  /** ATLANTAS_URL: the running server */
  serverUrl: string;
  /** ATLANTAS_TOKEN: an API token with scope mcp:read or mcp:write */
  token: string;
  /** where diagnostics go: never stdout, which belongs to the protocol */
  warn(line: string): void;
}

/**
 * `atlantas mcp`: a desktop assistant speaks MCP over stdio to this process, which forwards each
 * message to the server's /mcp with the token, and each answer back. It holds no database, key or
 * rule: the server decides everything, exactly as for an HTTP client. Resolves when stdin ends.
 */
export async function runStdioProxy(options: StdioProxyOptions): Promise<void> {
  const upstream = new StreamableHTTPClientTransport(new URL(MCP_PATH, options.serverUrl), {
    requestInit: { headers: { Authorization: `Bearer ${options.token}` } },
  });
  const local = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (local.onclose = resolve));
  const pendingInit = new Set<string | number>();

  local.onmessage = (message) => {
    if ('method' in message && message.method === 'initialize' && 'id' in message && message.id !== undefined) pendingInit.add(message.id);
    upstream.send(message).catch((err: Error) => {
      options.warn(`atlantas mcp: ${describe(err)}`);
      if ('id' in message && 'method' in message) void local.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: describe(err) } });
    });
  };
  upstream.onmessage = (message: JSONRPCMessage) => {
    // The server's protocol version goes on every later request, as the SDK's own client does.
    if ('result' in message && pendingInit.delete(message.id)) upstream.setProtocolVersion(String(message.result.protocolVersion));
    void local.send(message);
  };
  upstream.onerror = (err) => options.warn(`atlantas mcp: ${describe(err)}`);

  await upstream.start();
  await local.start();
  await closed;
  await upstream.close();
}

function describe(err: Error): string {
  const code = (err as { code?: number }).code;
  if (code === 401 || /401|Unauthorized/.test(err.message)) return `${err.message}: the server refused ATLANTAS_TOKEN; use an API token with scope mcp:read or mcp:write`;
  if (code === 403) return `${err.message}: ATLANTAS_TOKEN has no MCP scope (mcp:read or mcp:write)`;
  return err.message;
}
