import type { IncidentStatus, Severity } from './incident-status.js';

/** What an incident links to; each link is also a timeline entry. */
export const LINK_KINDS = ['run', 'drift', 'project', 'ci', 'notification', 'runbook', 'rca', 'change'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export interface Incident {
  id: string;
  tenantId: string;
  number: number;
  /** INC-00000001, gap-free per tenant */
  reference: string;
  title: string;
  description: string;
  severity: Severity;
  status: IncidentStatus;
  /** who raised it: drift, apply_failed, prometheus, manual … */
  source: string;
  ciIds: string[];
  assignee: string | null;
  resolutionNotes: string | null;
  resolvedBy: string | null;
  /** signals with this key fold into this incident while it is unresolved */
  dedupKey: string | null;
  /** how many signals it received */
  occurrences: number;
  /** 1, then +1 each time it is reopened: notifications are told once per episode */
  episode: number;
  createdBy: string;
  lastSeenAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface IncidentLink {
  kind: LinkKind;
  id: string;
  addedAt: Date;
}

export interface TimelineEntry {
  id: string;
  at: Date;
  /** created, status, updated, signal, linked, note, notification, resolved_automatically, or a kind another part adds (runbook, rca) */
  kind: string;
  message: string;
  actorKind: string;
  actorName: string;
  via: string;
  link: { kind: LinkKind; id: string } | null;
  details: Record<string, unknown>;
}

export interface IncidentView extends Incident {
  links: IncidentLink[];
}

export interface IncidentWithTimeline extends IncidentView {
  timeline: TimelineEntry[];
}

/** What a timeline entry is made of; `link` also links the object to the incident. */
export interface TimelineInput {
  kind: string;
  message: string;
  link?: { kind: LinkKind; id: string };
  details?: Record<string, unknown>;
}

/**
 * A signal that something is wrong (a drift check, a failed apply, a caller of core): opens an
 * incident, or folds into the unresolved one with the same dedup key.
 */
export interface IncidentSignal {
  dedupKey: string;
  title: string;
  severity: Severity;
  source: string;
  description?: string;
  ciIds?: string[];
  /** linked and named on the timeline */
  links?: { kind: LinkKind; id: string }[];
  /** the timeline's words for this signal */
  message?: string;
}
