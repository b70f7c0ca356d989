import type { runJson } from '../../api/presenters/runs.js';

type RunView = ReturnType<typeof runJson>;

/** One line about a run, for tool text renderings. */
export function runLine(r: RunView): string {
  const counts = r.has_changes === null ? '' : `, +${r.resources_added ?? 0} ~${r.resources_changed ?? 0} -${r.resources_destroyed ?? 0}`;
  return `- ${r.id}: ${r.command} ${r.repo} ${r.dir} (${r.workspace}) ${r.status}${counts}${r.pull_request ? `, PR #${r.pull_request}` : ''}`;
}
