import type { incidentJson } from '../../api/presenters/incidents.js';

/** One line per incident, for a model to read. */
export function incidentLine(i: ReturnType<typeof incidentJson>): string {
  return `- ${i.reference} [${i.severity}, ${i.status}] ${i.title} (source ${i.source}${i.occurrences > 1 ? `, seen ${i.occurrences} times` : ''}; id ${i.id})`;
}
