import { z } from 'zod';
import { INCIDENT_STATUSES, SEVERITIES } from './incident-status.js';

/** Inputs of the incident API (AtlasAI's /api/incidents), shared by REST and MCP. */
const Severity = z.enum(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` });
const Status = z.enum(INCIDENT_STATUSES, { message: `must be one of ${INCIDENT_STATUSES.join(', ')}` });
const CiIds = z.array(z.string().trim().min(1).max(200)).max(100).describe('configuration items (CMDB ids) the incident concerns');
const Text = (max: number) => z.string().trim().max(max);

export const CreateIncidentInput = z.object({
  title: Text(300).min(1, 'is required'),
  severity: Severity.default('P3'),
  description: Text(20_000).default(''),
  source: Text(100).min(1).default('manual').describe('what raised it: manual, prometheus, drift …'),
  ci_ids: CiIds.default([]),
  assignee: Text(200).min(1).nullable().optional(),
  dedup_key: Text(255).min(1).optional().describe('a second create with the same key, while the first is unresolved, folds into it'),
}).strict();
export type CreateIncidentInput = z.infer<typeof CreateIncidentInput>;

export const UpdateIncidentInput = z.object({
  status: Status.describe('one edge of the state machine: triggered → open → acknowledged → investigating → resolved → closed; resolved → reopened → investigating'),
  severity: Severity,
  title: Text(300).min(1),
  description: Text(20_000),
  assignee: Text(200).min(1).nullable(),
  resolution_notes: Text(20_000).nullable(),
  resolved_by: Text(200).min(1).nullable(),
  ci_ids: CiIds,
}).partial().strict().refine((v) => Object.keys(v).length > 0, { message: 'send at least one field to change (status, severity, title, description, assignee, resolution_notes, resolved_by, ci_ids)' });
export type UpdateIncidentInput = z.infer<typeof UpdateIncidentInput>;

export const ListIncidentsQuery = z.object({
  status: Status.optional(),
  severity: Severity.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();
export type ListIncidentsQuery = z.infer<typeof ListIncidentsQuery>;

/** An incident is named by its id (uuid) or its reference (INC-00000001). */
export const IncidentRef = z.string().trim().min(1, 'is required').max(64).describe('the incident id (uuid) or reference (INC-00000001)');
