import { z } from 'zod';

export const APPROVAL_ACTIONS = ['run_apply', 'run_destroy', 'unlock', 'state_delete'] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** GET /api/v1/approvals, also the MCP `list_approvals` input */
export const ListApprovalsQuery = z.object({
  status: z.enum(APPROVAL_STATUSES, { message: `must be one of ${APPROVAL_STATUSES.join(', ')}` }).optional().describe('only requests in this status'),
  run_id: z.string().uuid('must be a run id').optional().describe('only requests about this run'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('at most this many, newest first'),
});
export type ListApprovalsQuery = z.infer<typeof ListApprovalsQuery>;

/** POST /api/v1/approvals/{id}/approve|reject */
export const DecideApprovalInput = z.object({
  note: z.string().trim().max(2000).optional().describe('why, for the audit log'),
}).strict();
export type DecideApprovalInput = z.infer<typeof DecideApprovalInput>;

/** What an agent gives when it asks for something destructive: its reason, recorded and shown to the approver. */
export const Reason = z.string().trim().min(1, 'say why (it is shown to the human who approves)').max(2000);

const Time = z.string().describe('ISO 8601');
/** An approval request as REST and MCP return it (approval-view.ts builds it). */
export const ApprovalOutput = z.object({
  id: z.string().uuid(),
  action: z.enum(APPROVAL_ACTIONS),
  status: z.enum(APPROVAL_STATUSES),
  summary: z.string().describe('what a human is asked to approve'),
  reason: z.string().describe('why the requester asks, in its own words'),
  target: z.object({ type: z.string(), id: z.string() }),
  run_id: z.string().nullable(),
  project_id: z.string().nullable(),
  requested_by: z.object({ name: z.string(), kind: z.string(), token_id: z.string().nullable(), via: z.string() }),
  decided_by: z.object({ name: z.string(), via: z.string().nullable(), at: Time.nullable(), note: z.string().nullable() }).nullable(),
  outcome: z.string().nullable().describe('what carrying out the approved request did, or why it could not'),
  expires_at: Time.nullable(),
  created_at: Time.nullable(),
  link: z.string().describe('the request on this server (GET with a person\'s token; approve with POST …/approve)'),
});
