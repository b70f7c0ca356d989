import { z } from 'zod';

/** GET /api/v1/audit: newest first; `before` pages back by entry id. */
export const ListAuditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe('entries to return, newest first'),
    before: z.string().regex(/^\d+$/, 'must be an audit entry id').optional().describe('only entries older than this id (the last id of the previous page)'),
    action: z.string().trim().min(1).max(200).optional().describe('e.g. run.apply, state.push'),
    target_type: z.string().trim().min(1).max(100).optional(),
    target_id: z.string().trim().min(1).max(500).optional(),
  });
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;
