import { z } from 'zod';

/**
 * A runbook step is one Atlantas action, run through core as the person executing the runbook:
 * - plan: a speculative plan of a registered project;
 * - apply: a plan that waits, planned, for a person to approve it (the execution stops there);
 * - unlock: release a project's lock (an agent's call on someone else's lock asks a person);
 * - trigger_agent: run a cron agent now;
 * - notify: tell the incident's channel (the project's, else the tenant's);
 * - wait_for_approval: stop until a person continues the execution.
 */
const Project = z.string().trim().min(1, 'name a registered project (name or id)').max(200);
const Note = z.string().trim().max(500).optional();

export const RunbookStep = z.discriminatedUnion('action', [
  z.object({ action: z.literal('plan'), project: Project, note: Note }).strict(),
  z.object({ action: z.literal('apply'), project: Project, note: Note }).strict(),
  z.object({ action: z.literal('unlock'), project: Project, note: Note }).strict(),
  z.object({ action: z.literal('trigger_agent'), agent: z.string().trim().min(1, 'name an agent (name or id)').max(200), note: Note }).strict(),
  z.object({ action: z.literal('notify'), message: z.string().trim().min(1, 'is required').max(2000), note: Note }).strict(),
  z.object({ action: z.literal('wait_for_approval'), message: z.string().trim().min(1).max(2000).default('continue?'), note: Note }).strict(),
], { error: () => 'action must be one of plan, apply, unlock, trigger_agent, notify, wait_for_approval' });
export type RunbookStep = z.infer<typeof RunbookStep>;
export const STEP_ACTIONS = ['plan', 'apply', 'unlock', 'trigger_agent', 'notify', 'wait_for_approval'] as const;

const Steps = z.array(RunbookStep).min(1, 'a runbook needs at least one step').max(50);

export const CreateRunbookInput = z.object({
  name: z.string().trim().min(1, 'is required').max(200),
  description: z.string().trim().max(20_000).default(''),
  steps: Steps,
}).strict();
export type CreateRunbookInput = z.infer<typeof CreateRunbookInput>;

export const UpdateRunbookInput = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(20_000),
  steps: Steps,
}).partial().strict().refine((v) => Object.keys(v).length > 0, { message: 'send at least one field to change (name, description, steps)' });
export type UpdateRunbookInput = z.infer<typeof UpdateRunbookInput>;

export const RUNBOOK_STATUSES = ['draft', 'published', 'archived'] as const;
export type RunbookStatus = (typeof RUNBOOK_STATUSES)[number];

export const ListRunbooksQuery = z.object({
  status: z.enum(RUNBOOK_STATUSES, { message: `must be one of ${RUNBOOK_STATUSES.join(', ')}` }).optional(),
  limit: z.coerce.number({ message: 'must be a number' }).int().min(1).max(200).default(50),
  offset: z.coerce.number({ message: 'must be a number' }).int().min(0).default(0),
}).strict();
export type ListRunbooksQuery = z.infer<typeof ListRunbooksQuery>;

export const ExecuteRunbookInput = z.object({
  incident_id: z.string().trim().min(1).max(64).optional().describe('the incident (id or INC-00000001) the execution is recorded on'),
  dry_run: z.boolean({ message: 'must be true or false' }).default(false),
}).strict();
export type ExecuteRunbookInput = z.infer<typeof ExecuteRunbookInput>;

export const GenerateRunbookInput = z.object({
  incident_id: z.string().trim().min(1).max(64).optional(),
  description: z.string().trim().min(1).max(5000).optional(),
  rca_summary: z.string().trim().max(5000).optional(),
  name: z.string().trim().min(1).max(200).optional(),
}).strict().refine((v) => v.incident_id || v.description, { message: 'give incident_id (an incident to draft from) or description (what the runbook is for)', path: ['incident_id'] });
export type GenerateRunbookInput = z.infer<typeof GenerateRunbookInput>;
