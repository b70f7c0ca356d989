import { buildApplyCommand, buildPlanCommand, type CommandTarget } from '../commands/comment-builder.js';
import { code, commandHint, fence, isLong, logBlock, outputBlock, showOutput } from './markdown.js';
import { COMMAND_TITLES, type PlanDetails, type ProjectResult, type RenderOptions, type ResourceAction, type ResultCommand } from './render-types.js';

/**
 * The body of one project's section in a result comment: the output (folded when long), the
 * hints with exact commands, and Atlantas's additions (destroy warning, resource change list, run
 * link, verbose log). Paragraphs are separated by one blank line; no trailing newline.
 */
export function renderProjectBlock(command: ResultCommand, result: ProjectResult, options: RenderOptions): string {
  const parts = bodyParts(command, result, options);
  if (result.runUrl) parts.push(`:link: [View this run in Atlantas](${result.runUrl})`);
  if (options.verbose && result.verboseLog) parts.push(logBlock(result.verboseLog));
  return parts.join('\n\n');
}

function bodyParts(command: ResultCommand, result: ProjectResult, options: RenderOptions): string[] {
  const title = COMMAND_TITLES[command];
  if (result.status === 'error') return [errorBlock(title, result.error ?? result.output ?? 'unknown error')];
  if (result.status === 'failure') return [`**${title} Failed**: ${result.failure ?? ''}`];
  switch (command) {
    case 'plan':
      return planParts(result, options);
    case 'apply':
      return outputWithSummary(result.output ?? '', result.applySummary);
    case 'import':
    case 'state_rm':
      return stateChangeParts(result, options);
    case 'version':
      return [outputBlock(result.output ?? '', '')];
    case 'approve_policies':
      return [result.output ? outputBlock(result.output, '') : ':white_check_mark: Policies approved.'];
  }
}

function errorBlock(title: string, error: string): string {
  const block = fence(error);
  return `**${title} Error**\n${isLong(error) ? showOutput(block) : block}`;
}

/** The `-d/-w/-p` target of a result, for the hint commands. */
export function targetOf(result: ProjectResult): CommandTarget {
  return { dir: result.dir, workspace: result.workspace, projectName: result.projectName };
}

function planParts(result: ProjectResult, options: RenderOptions): string[] {
  const output = result.output ?? '';
  const parts: string[] = [];
  if (result.plan) parts.push(...changeParts(result.plan));
  parts.push(outputBlock(output, 'diff'));
  parts.push(options.plansDeleted ? 'This plan was not saved because one or more projects failed and automerge requires all plans pass.' : planHints(result, options));
  if (isLong(output)) parts.push(...summaryParts(result.plan, output));
  return parts;
}

function planHints(result: ProjectResult, options: RenderOptions): string {
  const exe = options.executableName;
  const target = targetOf(result);
  const apply = buildApplyCommand(exe, target, { autoMergeDisabled: options.autoMergeDisabled, autoMergeMethod: options.autoMergeMethod });
  const hints = [commandHint(':arrow_forward: To **apply** this plan, comment:', apply)];
  if (result.lockUrl) hints.push(`* :put_litter_in_its_place: To **delete** this plan and lock, click [here](${result.lockUrl})`);
  hints.push(replanHint(exe, target, result.extraArgs ?? []));
  return hints.join('\n');
}

function replanHint(exe: string, target: CommandTarget, extraArgs: string[]): string {
  return commandHint(':repeat: To **plan** this project again, comment:', buildPlanCommand(exe, target, extraArgs));
}

const SUMMARY = /Plan: (?:\d+ to import, )?\d+ to add, \d+ to change, \d+ to destroy(?:, \d+ to forget)?\.|No changes\. (?:Infrastructure is up-to-date|Your infrastructure matches the configuration)\./;
const OUTSIDE = 'Note: Objects have changed outside of Terraform';

/** The summary line shown under folded output, with the drift note in front when present. */
function summaryParts(plan: PlanDetails | undefined, output: string): string[] {
  const summary = plan?.summary ?? output.match(SUMMARY)?.[0] ?? '';
  const outside = plan ? plan.changesOutside : output.includes(OUTSIDE);
  const parts = outside ? [`**${OUTSIDE}**`] : [];
  if (summary) parts.push(summary);
  return parts;
}

const ACTION_LABELS: Record<ResourceAction, string> = {
  create: '+ create',
  update: '~ update',
  replace: '-/+ replace',
  delete: '- destroy',
  import: '<= import',
  read: '<= read',
  forget: '. forget',
};

/** Destroy warning and the resource change list (Atlantas additions, from `show -json`). */
function changeParts(plan: PlanDetails): string[] {
  const parts: string[] = [];
  const destroyed = plan.resourceChanges.filter((c) => c.action === 'delete' || c.action === 'replace');
  if (plan.toDestroy > 0 || destroyed.length > 0) {
    const count = Math.max(plan.toDestroy, destroyed.length);
    const names = destroyed.length > 0 ? `: ${destroyed.map((c) => code(c.address)).join(', ')}` : '';
    parts.push(`:warning: **This plan destroys ${count} resource${count === 1 ? '' : 's'}**${names}`);
  }
  if (plan.resourceChanges.length > 0) {
    const width = Math.max(...plan.resourceChanges.map((c) => ACTION_LABELS[c.action].length));
    const lines = plan.resourceChanges.map((c) => `${ACTION_LABELS[c.action].padEnd(width)} ${c.address}`);
    parts.push(`**Resource changes** (${plan.resourceChanges.length}):\n${fence(lines.join('\n'), 'diff')}`);
  }
  return parts;
}

function outputWithSummary(output: string, summary: string | undefined): string[] {
  const parts = [outputBlock(output, 'diff')];
  if (isLong(output) && summary) parts.push(summary);
  return parts;
}

function stateChangeParts(result: ProjectResult, options: RenderOptions): string[] {
  return [
    outputBlock(result.output ?? '', 'diff'),
    ':put_litter_in_its_place: A plan file was discarded. Re-plan would be required before applying.',
    replanHint(options.executableName, targetOf(result), []),
  ];
}
