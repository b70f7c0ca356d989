import type { z } from 'zod';
import type { Actor } from '../core/actor.js';
import type { InlineApprover } from '../core/approvals/approvals.service.js';
import type { Core } from '../core/index.js';
import type { Logger } from '../logger.js';

/** What every tool call gets: the core, the caller (built from its bearer token), and where links point. */
export interface ToolContext {
  core: Core;
  actor: Actor;
  /** the server's public URL, for links in results */
  baseUrl: string;
  log: Logger;
  /** in a session bound to a person whose client supports elicitation: ask them inline (approvals) */
  inlineApprover?: InlineApprover;
}

/** A tool's answer: the typed result (`structuredContent`) and a short rendering for the model to read. */
export interface ToolAnswer<O> {
  structured: O;
  text: string;
}

/**
 * One MCP tool: its schemas, truthful hints and a body that calls ONE core method with the
 * caller's Actor. Annotations are hints for clients; core enforces every rule itself.
 */
export interface McpTool<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** for a model: what it does, when to use it, what it returns */
  description: string;
  input: I;
  output: O;
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
  /** the structured result is checked against `output` at run time, by the SDK, before it is sent */
  run(ctx: ToolContext, args: z.output<I>): Promise<ToolAnswer<object>>;
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(tool: McpTool<I, O>): McpTool<I, O> {
  return tool;
}

export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
