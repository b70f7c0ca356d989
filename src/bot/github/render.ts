import { code, commandHint } from './markdown.js';
import { renderProjectBlock } from './render-project.js';
import { COMMAND_TITLES, type ProjectResult, type RenderOptions, type ResultCommand } from './render-types.js';

export type { PlanDetails, ProjectResult, RenderOptions, ResourceAction, ResultCommand } from './render-types.js';
export { lockHeldFailure, renderLocksDeleted, renderUnlocked, type DeletedLocks } from './render-locks.js';

/**
 * Renders the results of one comment command as the PR comment Atlantis would post
 * (server/events/templates), with Atlantas's additions: a destroy warning, a resource change list,
 * a link to the run, and the project name in every header. Pure; the result may exceed GitHub's
 * comment limit, so post it through `splitComment`.
 *
 * - one project: `Ran Plan for dir: `.` workspace: `default`` + its block (+ apply-all/unlock hints
 *   after a successful plan);
 * - several: a numbered list of projects, `### n. …` sections separated by `---`, then
 *   `### Plan Summary` (plan) or `### Apply Summary` (apply).
 */
export function renderCommentResults(command: ResultCommand, results: ProjectResult[], options: RenderOptions): string {
  if (results.length === 0) return `Ran ${COMMAND_TITLES[command]} for 0 projects.\n`;
  if (results.length === 1) return renderSingle(command, results[0], options);
  return renderMulti(command, results, options);
}

/** `project: `name` dir: `.` workspace: `default`` (project part only when named). */
export function projectTarget(result: Pick<ProjectResult, 'projectName' | 'dir' | 'workspace'>): string {
  const project = result.projectName ? `project: ${code(result.projectName)} ` : '';
  return `${project}dir: ${code(result.dir)} workspace: ${code(result.workspace)}`;
}

function renderSingle(command: ResultCommand, result: ProjectResult, options: RenderOptions): string {
  const sections = [`Ran ${COMMAND_TITLES[command]} for ${projectTarget(result)}`, renderProjectBlock(command, result, options)];
  if (command === 'plan' && result.status === 'success' && !options.plansDeleted) sections.push(`---\n${applyAllHints(options.executableName)}`);
  return `${sections.join('\n\n')}\n`;
}

function renderMulti(command: ResultCommand, results: ProjectResult[], options: RenderOptions): string {
  const list = results.map((r) => `1. ${projectTarget(r)}`).join('\n');
  let out = `Ran ${COMMAND_TITLES[command]} for ${results.length} projects:\n\n${list}\n\n---\n`;
  results.forEach((result, i) => {
    out += `### ${i + 1}. ${projectTarget(result)}\n${renderProjectBlock(command, result, options)}\n\n---\n`;
  });
  if (command === 'plan') out += planSummary(results, options);
  if (command === 'apply' && results.length > 1) out += applySummary(results);
  return out;
}

function planSummary(results: ProjectResult[], options: RenderOptions): string {
  const ok = results.filter((r) => r.status === 'success');
  const withChanges = ok.filter(hasChanges).length;
  const failed = results.length - ok.length;
  let out = `### Plan Summary\n\n${results.length} projects, ${withChanges} with changes, ${ok.length - withChanges} with no changes, ${failed} failed\n`;
  if (!options.plansDeleted) out += `\n${applyAllHints(options.executableName)}\n`;
  return out;
}

function hasChanges(result: ProjectResult): boolean {
  return result.plan ? result.plan.hasChanges : !/No changes\./.test(result.output ?? '');
}

function applySummary(results: ProjectResult[]): string {
  const count = (status: ProjectResult['status']): number => results.filter((r) => r.status === status).length;
  return `### Apply Summary\n\n${results.length} projects, ${count('success')} successful, ${count('failure')} failed, ${count('error')} errored\n`;
}

function applyAllHints(exe: string): string {
  return (
    `${commandHint(':fast_forward: To **apply** all unapplied plans from this Pull Request, comment:', `${exe} apply`)}\n` +
    commandHint(':put_litter_in_its_place: To **delete** all plans and locks from this Pull Request, comment:', `${exe} unlock`)
  );
}
