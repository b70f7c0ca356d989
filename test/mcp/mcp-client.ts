import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { onTestFinished } from 'vitest';
import type { Role } from '../../src/core/actor.js';
import type { McpPolicyInput } from '../../src/core/approvals/agent-policy.js';
import type { TokenScope } from '../../src/core/auth/token-scopes.js';
import type { TestApp } from '../harness/start-app.js';

/** The real SDK client over Streamable HTTP to the app's /mcp; inside a test it is closed when the test ends, else the caller closes it. */
export async function connectMcp(app: TestApp, token: string, options: { keep?: boolean } = {}): Promise<Client> {
  const client = new Client({ name: 'atlantas-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', app.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  if (!options.keep) onTestFinished(() => client.close());
  await client.listTools(); // the client now checks every structuredContent against the tool's output schema
  return client;
}

export interface Agent {
  token: string;
  tokenId: string;
  /** the person the agent token belongs to */
  user: Awaited<ReturnType<TestApp['factories']['user']>>;
}

/** A person (role `role`, default member) and an agent token of theirs, as an assistant would be configured. */
export async function agentToken(app: TestApp, opts: { role?: Role; scopes?: TokenScope[]; policy?: Partial<McpPolicyInput>; tenantId?: string } = {}): Promise<Agent> {
  const user = await app.factories.user({ role: opts.role ?? 'member', tenantId: opts.tenantId });
  const policy = opts.policy ? { auto_apply: [], max_destroy: 0, ...opts.policy } : undefined;
  const created = await app.core.tokens.create(user.actor, { name: 'assistant', scopes: opts.scopes ?? ['mcp:write'], mcp_policy: policy });
  return { token: created.rawToken, tokenId: created.id, user };
}

/** The text of a tool result's first content block. */
export function textOf(result: unknown): string {
  return ((result as { content: { type: string; text: string }[] }).content[0]?.text) ?? '';
}
