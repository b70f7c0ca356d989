import type { Run } from '../../core/runs/run.model.js';
import { escapeMrkdwn } from '../../core/slack/mrkdwn.js';

/**
 * Block Kit for run cards, built by pure functions from a run as it is now: the header names the
 * project and workspace, a context line the repository, PR, commit and who started it from
 * where, then the status, the counts (destroys and replacements bold, with a warning), the first
 * resource changes, and — only while the plan waits for a human — Approve apply and Discard.
 * Slack limits (50 blocks, 3000 characters per section) are kept by truncating the changes.
 */
export const APPROVE_ACTION = 'approve_apply';
export const DISCARD_ACTION = 'discard_plan';
export const RUN_ACTIONS_BLOCK = 'run_actions';

const MAX_CHANGES = 10;
const MAX_ERROR_LINES = 8;
const SECTION_LIMIT = 2900;

export type Block = { type: string } & Record<string, unknown>;

export interface CardInput {
  run: Run;
  /** the Slack user who started the plan, shown as a mention; null for a run started elsewhere (its actor and front end are named) */
  startedBy: string | null;
  /** the run's page or API document, when the server knows its public URL */
  runUrl: string | null;
}

export function runCard(input: CardInput): { text: string; blocks: Block[] } {
  const { run } = input;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${projectLabel(run)} · ${run.workspace}`, 150) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: contextLine(input) }] },
    { type: 'section', text: { type: 'mrkdwn', text: statusLine(run) } },
  ];
  const counts = countsLine(run);
  if (counts) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: counts } });
  const changes = changesList(run);
  if (changes) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: changes } });
  const actions = actionButtons(input);
  if (actions) blocks.push(actions);
  return { text: fallbackText(run), blocks };
}

function projectLabel(run: Run): string {
  return run.projectName || (run.dir === '.' ? run.repoFullName : `${run.repoFullName}/${run.dir}`);
}

function contextLine({ run, startedBy, runUrl }: CardInput): string {
  const pr = run.prNumber ? (run.prUrl ? `<${run.prUrl}|#${run.prNumber}>` : `#${run.prNumber}`) : '';
  const commit = run.commitSha ? ` · \`${run.commitSha.slice(0, 7)}\`` : '';
  const link = runUrl ? ` · <${runUrl}|run ${run.id.slice(0, 8)}>` : ` · run \`${run.id}\``;
  const who = startedBy ? `<@${startedBy}> from Slack` : `${escape(run.actorName)} via ${run.via}`;
  return `*${run.repoFullName}*${pr} · dir \`${run.dir}\`${commit} · started by ${who}${link}`;
}

export function statusLine(run: Run): string {
  switch (run.status) {
    case 'pending': return ':hourglass_flowing_sand: *Queued*';
    case 'planning': return ':hourglass_flowing_sand: *Planning…*';
    case 'planned': return ':eyes: *Planned* — waiting for approval';
    case 'confirmed': return `:white_check_mark: *Approved by ${run.approvedBy ?? 'someone'}* — waiting to apply`;
    case 'applying': return `:gear: *Applying…* (approved by ${run.approvedBy ?? 'someone'})`;
    case 'applied': return `:large_green_circle: *Applied* (approved by ${run.approvedBy ?? 'someone'})`;
    case 'planned_and_finished': return ':large_green_circle: *No changes* — nothing to apply';
    case 'discarded': return `:wastebasket: *Discarded*${run.statusReason ? ` — ${escape(run.statusReason)}` : ''}`;
    case 'canceled': return `:no_entry_sign: *Canceled*${run.statusReason ? ` — ${escape(run.statusReason)}` : ''}`;
    case 'errored': return `:red_circle: *Errored*\n${errorExcerpt(run)}`;
  }
}

function errorExcerpt(run: Run): string {
  const text = (run.error ?? run.statusReason ?? 'the run failed').trim();
  const lines = text.split('\n').slice(0, MAX_ERROR_LINES).join('\n');
  return '```' + truncate(escape(lines.replace(/```/g, "'''")), 1500) + '```';
}

/** Terraform's own summary line, then the counts; destroys and replacements stand out. */
export function countsLine(run: Run): string | null {
  if (run.hasChanges === null) return null;
  const replaces = (run.resourceChanges ?? []).filter((c) => c.action === 'replace').length;
  const parts = [`*${run.resourcesAdded ?? 0}* to add`, `*${run.resourcesChanged ?? 0}* to change`, `*${run.resourcesDestroyed ?? 0}* to destroy`];
  if (run.resourcesImported) parts.push(`*${run.resourcesImported}* to import`);
  const warning = (run.resourcesDestroyed ?? 0) > 0 || replaces > 0
    ? `\n:warning: *This plan destroys ${run.resourcesDestroyed ?? 0} resource(s)${replaces ? `, ${replaces} by replacement` : ''}.*`
    : '';
  return `${run.summary ? `${escape(run.summary)}\n` : ''}${parts.join(' · ')}${warning}`;
}

function changesList(run: Run): string | null {
  const changes = (run.resourceChanges ?? []).filter((c) => c.action !== 'no-op' && c.action !== 'read');
  if (!changes.length) return null;
  const shown = changes.slice(0, MAX_CHANGES).map((c) => `${ACTION_MARK[c.action] ?? '•'} \`${c.action}\` ${escape(c.address)}`);
  if (changes.length > MAX_CHANGES) shown.push(`…and ${changes.length - MAX_CHANGES} more`);
  return truncate(shown.join('\n'), SECTION_LIMIT);
}

const ACTION_MARK: Record<string, string> = { create: '+', update: '~', delete: ':heavy_minus_sign:', replace: ':warning:', import: '⇐', forget: '×' };

function actionButtons({ run, runUrl }: CardInput): Block | null {
  const elements: Block[] = [];
  if (run.status === 'planned') {
    const approve: Block = { type: 'button', action_id: APPROVE_ACTION, text: { type: 'plain_text', text: 'Approve apply' }, style: 'primary', value: run.id };
    if ((run.resourcesDestroyed ?? 0) > 0) {
      approve.confirm = {
        title: { type: 'plain_text', text: 'Apply with destroys?' },
        text: { type: 'mrkdwn', text: `This apply destroys *${run.resourcesDestroyed}* resource(s) in ${escape(projectLabel(run))} (${escape(run.workspace)}).` },
        confirm: { type: 'plain_text', text: 'Apply' },
        deny: { type: 'plain_text', text: 'Cancel' },
      };
    }
    elements.push(approve, { type: 'button', action_id: DISCARD_ACTION, text: { type: 'plain_text', text: 'Discard' }, style: 'danger', value: run.id });
  }
  if (runUrl) elements.push({ type: 'button', action_id: 'open_run', text: { type: 'plain_text', text: 'Open run' }, url: runUrl });
  return elements.length ? { type: 'actions', block_id: RUN_ACTIONS_BLOCK, elements } : null;
}

function fallbackText(run: Run): string {
  return `${projectLabel(run)} (${run.workspace}): ${run.status}${run.summary ? ` — ${run.summary}` : ''}`;
}

/** Slack mrkdwn control characters (`&`, `<`, `>`) in user or terraform text (core's escapeMrkdwn). */
export const escape = escapeMrkdwn;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
