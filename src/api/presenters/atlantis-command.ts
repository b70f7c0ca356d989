import type { CommandOutcome } from '../../core/commands/command.service.js';
import type { Run } from '../../core/runs/run.model.js';
import { planCounts, runOutcome, type PlanCounts } from '../../core/runs/run-outcome.js';

/** The `data` of Atlantis's plan/apply response: one entry per project, failures inside a successful envelope. */
export function atlantisCommandResult(command: 'plan' | 'apply', outcome: CommandOutcome, runs: Map<string, Run>, outputs: Map<string, string>) {
  const projects = [];
  for (const r of outcome.results) {
    const base = { project_name: r.target.projectName, directory: r.target.dir, workspace: r.target.workspace, command };
    if (!r.run) {
      projects.push({ ...base, status: 'failed', failure: r.failure });
      continue;
    }
    const run = runs.get(r.run.id) ?? r.run;
    const { status, error, failure } = runOutcome(command, run);
    const counts = planCounts(run);
    projects.push({
      ...base, status: status === 'failure' ? 'failed' : status, run_id: run.id,
      ...(error ? { error } : {}), ...(failure ? { failure } : {}),
      output: outputs.get(run.id) ?? '',
      ...(command === 'plan' && counts ? { plan: planJson(counts) } : {}),
    });
  }
  const successes = projects.filter((p) => p.status === 'success').length;
  return {
    command, projects, total_projects: projects.length, success_count: successes, failure_count: projects.length - successes,
    executed_at: new Date().toISOString(),
  };
}

function planJson(p: PlanCounts) {
  return { has_changes: p.hasChanges, to_add: p.toAdd, to_change: p.toChange, to_destroy: p.toDestroy, to_import: p.toImport, summary: p.summary };
}
