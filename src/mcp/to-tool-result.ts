import { randomUUID } from 'node:crypto';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ZodError } from 'zod';
import {
  AuthenticationError, ConflictError, DomainError, InputError, LockedError, NotAllowedError, NotFoundError, PreconditionFailedError,
  QuotaExceededError, RateLimitedError, UnavailableError,
} from '../core/errors.js';
import type { Logger } from '../logger.js';
import type { ToolAnswer } from './tool.js';

/** The stable codes a model can act on; each error text starts with one. */
export type ToolErrorCode = 'not_found' | 'forbidden' | 'approval_required' | 'invalid_input' | 'conflict' | 'unavailable' | 'internal_error';

/** What to do next, per code: a model reads this sentence. */
const NEXT_STEP: Record<ToolErrorCode, string> = {
  not_found: 'Check the id or name with the matching list_* tool.',
  forbidden: 'This token may not do that; ask a person with the right role, or use a token with scope mcp:write.',
  approval_required: 'A person must approve this; tell the user and wait (list_approvals shows the request).',
  invalid_input: 'Fix the arguments named above and call the tool again.',
  conflict: 'The object is not in a state that allows this; read it again (get_run, list_locks) before retrying.',
  unavailable: 'Try again later.',
  internal_error: 'The server failed; try again later, and tell the operator the reference.',
};

/** The one mapping from domain errors to MCP tool errors (REST's is api/envelopes/classify.ts). */
export function codeOf(err: unknown): ToolErrorCode {
  if (err instanceof ZodError || err instanceof InputError) return 'invalid_input';
  if (err instanceof DomainError && /human_approval_required|approval\.human_required/.test(err.code)) return 'approval_required';
  if (err instanceof NotFoundError) return 'not_found';
  if (err instanceof NotAllowedError || err instanceof AuthenticationError || err instanceof QuotaExceededError) return 'forbidden';
  if (err instanceof ConflictError || err instanceof LockedError || err instanceof PreconditionFailedError) return 'conflict';
  if (err instanceof RateLimitedError || err instanceof UnavailableError) return 'unavailable';
  return 'internal_error';
}

export function toolError(code: ToolErrorCode, message: string, detail: Record<string, unknown> = {}): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}: ${message}\n${NEXT_STEP[code]}` }],
    // Not structuredContent: clients check that against the tool's output schema, errors included.
    _meta: { 'atlantas/error': { code, message, ...detail } },
  };
}

/**
 * Runs a tool body and renders its answer, or its error as `isError` with a stable code. An
 * unexpected error is logged and answered with a reference, never its message or stack.
 */
export async function toToolResult<O>(log: Logger, body: () => Promise<ToolAnswer<O>>): Promise<CallToolResult> {
  try {
    const { structured, text } = await body();
    return { content: [{ type: 'text', text }], structuredContent: structured as Record<string, unknown> };
  } catch (err) {
    const code = codeOf(err);
    if (code === 'internal_error') {
      const reference = randomUUID().slice(0, 8);
      log.error({ err, reference }, 'MCP tool failed');
      return toolError(code, `internal error (reference ${reference})`);
    }
    if (err instanceof ZodError) return toolError(code, err.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; '));
    const e = err as DomainError;
    return toolError(code, e.message, { reason: e.code });
  }
}

/**
 * Errors the SDK makes itself before a tool body runs (arguments failing the input schema, an
 * unknown tool) get the same codes. Their text is the SDK's own and names no secret.
 */
export function sdkToolError(message: string): CallToolResult {
  if (/^Input validation error|^MCP error -32602: Input validation error/.test(message)) return toolError('invalid_input', message.replace(/^MCP error -32602: /, ''));
  if (/Tool \S+ not found|Tool \S+ disabled/.test(message)) return toolError('not_found', message.replace(/^MCP error -32602: /, ''));
  return toolError('internal_error', 'the tool call failed before it ran');
}

/**
 * For resources and prompts, whose errors are JSON-RPC errors: the message starts with the same
 * stable code; an unexpected error is logged and answered without its message.
 */
export async function rpcGuarded<T>(log: Logger, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const code = codeOf(err);
    if (code === 'internal_error') {
      log.error({ err }, 'MCP request failed');
      throw new McpError(ErrorCode.InternalError, 'internal_error: the server failed');
    }
    throw new McpError(code === 'not_found' ? -32002 : ErrorCode.InvalidParams, `${code}: ${(err as Error).message}`);
  }
}
