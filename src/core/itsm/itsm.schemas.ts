import { z } from 'zod';

/** Inputs of AtlasAI's ITSM endpoints (atlasai-api.txt "ITSM"). */
export const CHANGE_TYPES = ['normal', 'standard', 'emergency'] as const;
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export const CHANGE_STATUSES = ['pending_approval', 'approved', 'rejected', 'completed', 'failed', 'cancelled'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];
export const SERVICE_REQUEST_STATUSES = ['pending_approval', 'approved', 'rejected', 'fulfilled', 'cancelled'] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];

/** The longest window one change request may hold open (a change is not a standing exemption). */
export const MAX_WINDOW_DAYS = 14;

const Instant = (name: string) =>
  z.iso.datetime({ offset: true, message: `${name} must be an ISO 8601 date-time with a zone, e.g. 2026-04-01T18:00:00Z` }).transform((v) => new Date(v));
const Text = (name: string, max: number) => z.string().trim().max(max, `${name} must be at most ${max} characters`);

export const CreateChangeInput = z
  .object({
    title: z.string({ message: 'title is required' }).trim().min(1, 'title must not be empty').max(255, 'title must be at most 255 characters'),
    description: Text('description', 10_000).optional(),
    type: z.enum(CHANGE_TYPES, { message: `type must be one of ${CHANGE_TYPES.join(', ')}` }).default('normal'),
    risk_level: z.enum(RISK_LEVELS, { message: `risk_level must be one of ${RISK_LEVELS.join(', ')}` }).default('medium'),
    requested_start: Instant('requested_start'),
    requested_end: Instant('requested_end'),
    implementation_plan: Text('implementation_plan', 20_000).optional(),
    rollback_plan: Text('rollback_plan', 20_000).optional(),
    project_ids: z.array(z.string().uuid('project_ids must be project ids (UUIDs)')).max(100).default([]).describe('the projects this change covers; empty = every project of the tenant'),
    /** AtlasAI clients send it; the requester recorded is always the caller */
    requested_by: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.requested_end <= v.requested_start) ctx.addIssue({ code: 'custom', path: ['requested_end'], message: 'requested_end must be after requested_start' });
    else if (v.requested_end.getTime() - v.requested_start.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
      ctx.addIssue({ code: 'custom', path: ['requested_end'], message: `a change window may last at most ${MAX_WINDOW_DAYS} days; split longer work into several changes` });
    }
  });
export type CreateChangeInput = z.infer<typeof CreateChangeInput>;

export const ListChangesQuery = z.object({
  status: z.enum(CHANGE_STATUSES, { message: `status must be one of ${CHANGE_STATUSES.join(', ')}` }).optional(),
  limit: z.coerce.number().int().min(1, 'limit must be at least 1').max(500, 'limit must be at most 500').default(50),
  offset: z.coerce.number().int().min(0, 'offset must not be negative').default(0),
});
export type ListChangesQuery = z.infer<typeof ListChangesQuery>;

export const DecisionInput = z.object({ note: Text('note', 2_000).optional() }).default({});
export type DecisionInput = z.infer<typeof DecisionInput>;

/** What can follow an approved change: it was done, it went wrong, or it will not happen. */
export const UpdateChangeInput = z.object({
  status: z.enum(['completed', 'failed', 'cancelled'], { message: 'status must be completed, failed or cancelled (approve and reject have their own endpoints)' }),
  note: Text('note', 2_000).optional(),
});
export type UpdateChangeInput = z.infer<typeof UpdateChangeInput>;

export const CreateServiceRequestInput = z.object({
  catalog_item_id: z.string({ message: 'catalog_item_id is required: one of GET /api/itsm/catalog' }).trim().min(1),
  details: z.record(z.string(), z.unknown()).default({}).refine((d) => JSON.stringify(d).length <= 16 * 1024, 'details must be at most 16 KiB of JSON'),
  requested_by: z.string().optional(),
});
export type CreateServiceRequestInput = z.infer<typeof CreateServiceRequestInput>;

export const ListServiceRequestsQuery = z.object({
  status: z.enum(SERVICE_REQUEST_STATUSES, { message: `status must be one of ${SERVICE_REQUEST_STATUSES.join(', ')}` }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListServiceRequestsQuery = z.infer<typeof ListServiceRequestsQuery>;

export const UpdateServiceRequestInput = z.object({
  status: z.enum(['fulfilled', 'cancelled'], { message: 'status must be fulfilled or cancelled (approve and reject have their own endpoints)' }),
  note: Text('note', 2_000).optional(),
});
export type UpdateServiceRequestInput = z.infer<typeof UpdateServiceRequestInput>;
