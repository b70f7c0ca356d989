import type { CommandOutcome } from '../../core/commands/command.service.js';
import type { Run } from '../../core/runs/run.model.js';

type ProjectStatus = 'success' | 'error' | 'failed';

/** The `data` of Atlantis's plan/apply response: one entry per project, failures inside a successful envelope. */
export async function atlantisCommandResult(
  command: 'plan' | 'apply',
  outcome: CommandOutcome,
  runs: Map<string, Run>,
  outputOf: (runId: string, phase: string) => Promise<string>,
) {
  const projects = [];
  for (const r of outcome.results) {
    const base = { project_name: r.target.projectName, directory: r.target.dir, workspace: r.target.workspace, command };
    if (!r.run) {
      projects.push({ ...base, status: 'failed' as ProjectStatus, failure: r.failure });
      continue;
    }
    const run = runs.get(r.run.id) ?? r.run;
    const { status, error, failure } = statusOf(command, run);
    const phase = command === 'apply' && run.status === 'applied' ? 'apply' : 'plan';
    projects.push({
      ...base, status, run_id: run.id,
      ...(error ? { error } : {}), ...(failure ? { failure } : {}),
      output: await outputOf(run.id, phase),
      ...(command === 'plan' && run.hasChanges !== null ? { plan: planBlock(run) } : {}),
    });
  }
  const successes = projects.filter((p) => p.status === 'success').length;
  return {
    command, projects, total_projects: projects.length, success_count: successes, failure_count: projects.length - successes,
    executed_at: new Date().toISOString(),
  };
}

function statusOf(command: 'plan' | 'apply', run: Run): { status: ProjectStatus; error?: string; failure?: string } {
  if (run.status === 'errored') return { status: 'error', error: run.error ?? run.statusReason ?? 'the run failed' };
  if (run.status === 'canceled' || run.status === 'discarded') return { status: 'failed', failure: run.statusReason ?? `run ${run.status}` };
  const done = command === 'plan' ? ['planned', 'planned_and_finished'] : ['applied', 'planned_and_finished'];
  if (done.includes(run.status)) return { status: 'success' };
  if (run.status === 'planned') return { status: 'failed', failure: `run ${run.id} is planned and waiting for approval` };
  return { status: 'error', error: `run ${run.id} did not finish in time (status ${run.status}); follow it at /api/v1/runs/${run.id}/events` };
}

function planBlock(run: Run) {
  return {
    has_changes: !!run.hasChanges, to_add: run.resourcesAdded ?? 0, to_change: run.resourcesChanged ?? 0,
    to_destroy: run.resourcesDestroyed ?? 0, to_import: run.resourcesImported ?? 0, summary: run.summary ?? '',
  };
}
