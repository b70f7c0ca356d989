import type { Actor } from '../actor.js';

/**
 * What RCA, the copilot and runbooks need of incidents (core/incidents' IncidentsService has this
 * shape): an incident with its links, a listing, and a timeline to write on. Each call checks the
 * caller's permission and tenant itself.
 */
export interface IncidentFacts {
  id: string;
  reference: string;
  title: string;
  description: string;
  severity: string;
  status: string;
  source: string;
  ciIds: string[];
  createdAt: Date;
  links: { kind: string; id: string }[];
}

export interface IncidentTimelineEntry {
  kind: string;
  message: string;
  link?: { kind: 'runbook' | 'rca' | 'run'; id: string };
  details?: Record<string, unknown>;
}

export interface IncidentPort {
  get(actor: Actor, ref: string): Promise<IncidentFacts>;
  list(actor: Actor, query: { limit: number; offset: number }): Promise<{ items: IncidentFacts[]; total: number }>;
  addTimeline(actor: Actor, ref: string, entry: IncidentTimelineEntry): Promise<void>;
}

export const UNRESOLVED_INCIDENT_STATUSES: readonly string[] = ['triggered', 'open', 'acknowledged', 'investigating', 'reopened'];
