import type { ProjectLock } from '../../core/locks/project-lock.model.js';
import type { NotificationEvent } from '../../core/notifications/notification.js';
import type { Run } from '../../core/runs/run.model.js';
import { escape, type Block } from './blocks.js';

/**
 * The messages notifications post (pure): one short message per event, naming the project and
 * workspace, what happened, and how to look closer. A run's card, when it has one, is updated
 * besides; these messages go in its thread then.
 */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

const MAX_ERROR_LINES = 8;

function target(run: Run): string {
  const project = run.projectName || (run.dir === '.' ? run.repoFullName : `${run.repoFullName}/${run.dir}`);
  return `${project} (${run.workspace})${run.prNumber ? ` · ${run.repoFullName}#${run.prNumber}` : ''}`;
}

function link(run: Run, runUrl: string | null): string {
  return runUrl ? `<${runUrl}|run ${run.id.slice(0, 8)}>` : `run \`${run.id}\``;
}

function message(text: string, detail?: string): SlackMessage {
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  if (detail) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: detail } });
  return { text: text.replace(/[*`]/g, ''), blocks };
}

export function appliedMessage(run: Run, runUrl: string | null): SlackMessage {
  return message(`:large_green_circle: *Applied* ${escape(target(run))} — ${link(run, runUrl)}${run.approvedBy ? `, approved by ${escape(run.approvedBy)}` : ''}`);
}

export function erroredMessage(run: Run, runUrl: string | null): SlackMessage {
  const lines = (run.error ?? run.statusReason ?? 'the run failed').trim().split('\n').slice(0, MAX_ERROR_LINES).join('\n');
  return message(`:red_circle: *Errored* ${escape(target(run))} — ${link(run, runUrl)}`, '```' + escape(lines.replace(/```/g, "'''")).slice(0, 1500) + '```');
}

export function needsApprovalMessage(run: Run, runUrl: string | null): SlackMessage {
  return message(`:eyes: *Waiting for approval* ${escape(target(run))} — ${link(run, runUrl)}${run.summary ? `\n${escape(run.summary)}` : ''}`);
}

export function planExpiredMessage(run: Run, runUrl: string | null): SlackMessage {
  return message(`:hourglass: *Plan expired* ${escape(target(run))} — ${link(run, runUrl)}: ${escape(run.statusReason ?? 'nobody applied it in time')}`);
}

export function lockHeldLongMessage(lock: ProjectLock, now: Date): SlackMessage {
  const hours = Math.floor((now.getTime() - new Date(lock.lockedAt).getTime()) / 3_600_000);
  return message(
    `:lock: *Lock held for ${hours}h*: ${escape(`${lock.repoFullName} ${lock.dir} (${lock.workspace})`)} by ${escape(lock.holderName)} since ${new Date(lock.lockedAt).toISOString()}`,
    `Release it with \`/atlantas unlock ${lock.id}\` if nobody needs it any more.`,
  );
}

/** A state_watcher finding (a state lock held too long, a stale state, a serial that went backwards, a lineage that changed). */
export function stateAlertMessage(event: Extract<NotificationEvent, { kind: 'state.alert' }>, stateName: string | null): SlackMessage {
  return message(
    `:rotating_light: *State alert*${stateName ? ` ${escape(stateName)}` : ''}: ${escape(event.reason)}`,
    `State \`${event.stateId}\` — its versions: \`GET /api/v1/states/${event.stateId}/versions\``,
  );
}

/** The codebase monitor registered or unregistered a project. */
export function codebaseChangedMessage(event: Extract<NotificationEvent, { kind: 'codebase.changed' }>): SlackMessage {
  const where = escape(`${event.repoFullName} ${event.dir}`);
  return event.change === 'registered'
    ? message(`:new: *Project registered*: ${escape(event.projectName)} — ${where} is a new root module on the default branch`, `Found by the codebase monitor ${escape(event.agentName)}.`)
    : message(`:wastebasket: *Project unregistered*: ${escape(event.projectName)} — ${where} has no terraform files any more`, `Found by the codebase monitor ${escape(event.agentName)}.`);
}
