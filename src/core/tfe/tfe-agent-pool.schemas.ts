import { z } from 'zod';

/** `POST organizations/{org}/agent-pools`: `{"data":{"type":"agent-pools","attributes":{"name":"aws-prod"}}}` (other attributes are ignored). */
export const AgentPoolDocument = z.object({
  data: z.object({
    type: z.literal('agent-pools', { message: 'must be "agent-pools"' }).optional(),
    attributes: z.object({ name: z.string().trim().min(1, 'is required').max(100) }).passthrough(),
  }).passthrough(),
}).passthrough();

/** `POST agent-pools/{id}/authentication-tokens`: `{"data":{"type":"authentication-tokens","attributes":{"description":"…"}}}`; the body may be absent. */
export const AgentTokenDocument = z.object({
  data: z.object({
    attributes: z.object({ description: z.string().trim().max(100).optional() }).passthrough().default({}),
  }).passthrough().default({ attributes: {} }),
}).passthrough();
