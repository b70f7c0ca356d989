import type { IncidentView } from '../../core/incidents/incident.js';
import { allowedNext, isUnresolved, pathTo } from '../../core/incidents/incident-status.js';
import { escape, type Block } from './blocks.js';

/**
 * Block Kit for an incident (pure): severity, reference and title, where it came from, its status
 * and, while it is unresolved, Acknowledge (until it is acknowledged) and Resolve. The buttons
 * carry the incident id; core walks the state machine's own edges when one is clicked.
 */
export const ACKNOWLEDGE_INCIDENT_ACTION = 'incident_acknowledge';
export const RESOLVE_INCIDENT_ACTION = 'incident_resolve';

const SEVERITY_ICON: Record<string, string> = { P1: ':red_circle:', P2: ':large_orange_circle:', P3: ':large_yellow_circle:', P4: ':large_blue_circle:', P5: ':white_circle:' };

export function incidentCard(i: IncidentView, link: string | null): { text: string; blocks: Block[] } {
  const ref = link ? `<${link}|${i.reference}>` : i.reference;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: `${i.severity} ${i.reference}: ${i.title}`.slice(0, 150) } },
    ...(i.description ? [{ type: 'section', text: { type: 'mrkdwn', text: '```' + escape(i.description.slice(0, 1500)) + '```' } }] : []),
    {
      type: 'context', elements: [{
        type: 'mrkdwn',
        text: `${SEVERITY_ICON[i.severity] ?? ''} ${ref} · source ${escape(i.source)} · raised by ${escape(i.createdBy)}${i.occurrences > 1 ? ` · seen ${i.occurrences} times` : ''}`,
      }],
    },
    { type: 'section', text: { type: 'mrkdwn', text: statusText(i) } },
  ];
  const buttons: Block[] = [];
  if (pathTo(i.status, 'acknowledged')?.length) {
    buttons.push({ type: 'button', action_id: ACKNOWLEDGE_INCIDENT_ACTION, text: { type: 'plain_text', text: 'Acknowledge' }, value: i.id });
  }
  if (isUnresolved(i.status)) buttons.push({ type: 'button', action_id: RESOLVE_INCIDENT_ACTION, text: { type: 'plain_text', text: 'Resolve' }, style: 'primary', value: i.id });
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'incident_actions', elements: buttons });
  return { text: `${i.severity} ${i.reference}: ${i.title} (${i.status})`, blocks };
}

function statusText(i: IncidentView): string {
  switch (i.status) {
    case 'resolved': return `:white_check_mark: *Resolved*${i.resolvedBy ? ` by ${escape(i.resolvedBy)}` : ''}${i.resolutionNotes ? ` — ${escape(i.resolutionNotes)}` : ''}`;
    case 'closed': return ':lock: *Closed*';
    case 'acknowledged': return ':eyes: *Acknowledged*' + (i.assignee ? ` · assignee ${escape(i.assignee)}` : '');
    default: return `:rotating_light: *${i.status[0].toUpperCase()}${i.status.slice(1)}* · next: ${allowedNext(i.status).join(', ')}`;
  }
}

/** The thread reply when an incident is resolved. */
export function incidentResolvedText(i: IncidentView): string {
  return `:white_check_mark: ${i.reference} resolved${i.resolvedBy ? ` by ${escape(i.resolvedBy)}` : ''}${i.resolutionNotes ? `: ${escape(i.resolutionNotes)}` : ''}`;
}

/** `/atlantas incident` without an id: the unresolved incidents. */
export function incidentList(items: IncidentView[]): string {
  if (!items.length) return 'No unresolved incidents.';
  return items.map((i) => `${SEVERITY_ICON[i.severity] ?? ''} \`${i.reference}\` *${escape(i.title)}* · ${i.status} · ${escape(i.source)}`).join('\n');
}

/** `/atlantas incident <id>`: one incident and its latest timeline entries. */
export function incidentDetail(i: IncidentView & { timeline: { at: Date; message: string; actorName: string }[] }): string {
  const lines = i.timeline.slice(-5).map((e) => `• ${new Date(e.at).toISOString()} ${escape(e.actorName)}: ${escape(e.message)}`);
  return [`${SEVERITY_ICON[i.severity] ?? ''} \`${i.reference}\` *${escape(i.title)}* · ${i.severity} · ${i.status} · ${escape(i.source)}`, ...lines].join('\n');
}
