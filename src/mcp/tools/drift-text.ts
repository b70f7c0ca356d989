import type { driftRecordJson } from '../../api/presenters/drift.js';

/** One line per drift record for a model to read: where, what was found, when. */
export function driftLine(r: ReturnType<typeof driftRecordJson>): string {
  const where = `${r.project_name || r.directory} (${r.repository} ${r.directory}, ${r.workspace})`;
  if (r.status === 'checking') return `${where}: checking…`;
  if (r.status === 'skipped' || r.status === 'errored') return `${where}: ${r.status} — ${r.reason}`;
  const found = r.has_drift ? `DRIFT — ${r.summary}; ${r.drifted_resources.map((d) => `${d.address} (${d.attributes.join(', ') || d.action})`).join(', ')}` : 'no drift';
  return `${where}: ${found}; checked ${r.last_checked_at}; record ${r.id}`;
}
