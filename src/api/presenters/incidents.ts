import type { IncidentView, IncidentWithTimeline, TimelineEntry } from '../../core/incidents/incident.js';
import { iso } from './iso.js';


/** An incident as AtlasAI's API shows it (snake_case), with its links; the timeline when given. */
export function incidentJson(i: IncidentView | IncidentWithTimeline) {
  return {
    id: i.id, reference: i.reference, title: i.title, description: i.description, severity: i.severity, status: i.status,
    source: i.source, ci_ids: i.ciIds, assignee: i.assignee, resolution_notes: i.resolutionNotes, resolved_by: i.resolvedBy,
    dedup_key: i.dedupKey, occurrences: i.occurrences, created_by: i.createdBy,
    project_ids: i.links.filter((l) => l.kind === 'project').map((l) => l.id),
    run_ids: i.links.filter((l) => l.kind === 'run').map((l) => l.id),
    links: i.links.map((l) => ({ kind: l.kind, id: l.id, added_at: iso(l.addedAt) })),
    last_seen_at: iso(i.lastSeenAt), acknowledged_at: iso(i.acknowledgedAt), resolved_at: iso(i.resolvedAt), closed_at: iso(i.closedAt),
    created_at: iso(i.createdAt), updated_at: iso(i.updatedAt),
    ...('timeline' in i ? { timeline: i.timeline.map(timelineJson) } : {}),
  };
}

export function timelineJson(e: TimelineEntry) {
  return {
    at: iso(e.at), kind: e.kind, message: e.message, actor: { kind: e.actorKind, name: e.actorName, via: e.via },
    link: e.link, details: e.details,
  };
}
