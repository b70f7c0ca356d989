import { z } from 'zod';
import { INCIDENT_STATUSES, SEVERITIES } from '../../core/incidents/incident-status.js';
import { LINK_KINDS } from '../../core/incidents/incident.js';

/** An incident as src/api/presenters/incidents.ts renders it (AtlasAI's /api/incidents and the MCP incident tools). */
const Timestamp = z.iso.datetime({ offset: true }).describe('ISO 8601 time');

export const TimelineEntryResource = z.object({
  at: Timestamp, kind: z.string().describe('created, status, updated, signal, linked, notification, resolved_automatically …'), message: z.string(),
  actor: z.object({ kind: z.string(), name: z.string(), via: z.string() }),
  link: z.object({ kind: z.enum(LINK_KINDS), id: z.string() }).nullable(), details: z.record(z.string(), z.unknown()),
});

export const IncidentResource = z.object({
  id: z.uuid(), reference: z.string().describe('INC-00000001, per tenant'), title: z.string(), description: z.string(),
  severity: z.enum(SEVERITIES), status: z.enum(INCIDENT_STATUSES), source: z.string(), ci_ids: z.array(z.string()),
  assignee: z.string().nullable(), resolution_notes: z.string().nullable(), resolved_by: z.string().nullable(),
  dedup_key: z.string().nullable(), occurrences: z.number().int(), created_by: z.string(),
  project_ids: z.array(z.string()), run_ids: z.array(z.string()),
  links: z.array(z.object({ kind: z.enum(LINK_KINDS), id: z.string(), added_at: Timestamp })),
  last_seen_at: Timestamp, acknowledged_at: Timestamp.nullable(), resolved_at: Timestamp.nullable(), closed_at: Timestamp.nullable(),
  created_at: Timestamp, updated_at: Timestamp,
  timeline: z.array(TimelineEntryResource).optional().describe('every change and link, oldest first (one incident only)'),
});
