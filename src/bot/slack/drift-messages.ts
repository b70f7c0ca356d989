import type { DriftedResource, DriftRecord } from '../../core/drift/drift-record.js';
import { escape, type Block } from './blocks.js';
import type { SlackMessage } from './notification-messages.js';

/**
 * The drift notifications in Slack (pure), rendered from the drift record as it is now: what
 * drifted where (resource addresses and the names of their changed attributes — never a value,
 * sensitive or not), with a "Plan remediation" button; and the line the detected message's thread
 * gets when the drift is gone.
 */
export const PLAN_REMEDIATION_ACTION = 'plan_remediation';

const MAX_RESOURCES = 10;
const SECTION_LIMIT = 2900;

export function driftTarget(r: Pick<DriftRecord, 'projectName' | 'repoFullName' | 'dir' | 'workspace' | 'projectId'>): string {
  const name = r.projectName || (r.dir === '.' ? r.repoFullName : `${r.repoFullName}/${r.dir}`);
  return `${name} (${r.workspace})`;
}

export function driftDetectedMessage(r: DriftRecord, runUrl: string | null): SlackMessage {
  const where = `*${escape(r.repoFullName)}* · dir \`${escape(r.dir)}\` · ${escape(r.ref)}${r.commitSha ? ` @ \`${r.commitSha.slice(0, 7)}\`` : ''}` +
    `${r.projectId ? '' : ' · not a registered project'}${r.lastCheckedAt ? ` · checked ${new Date(r.lastCheckedAt).toISOString()}` : ''}` +
    (runUrl ? ` · <${runUrl}|plan run>` : '');
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: `Drift detected: ${driftTarget(r)}`.slice(0, 150) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: where }] },
    { type: 'section', text: { type: 'mrkdwn', text: `:warning: ${escape(r.summary ?? 'drift')}` } },
  ];
  const outside = resourceList('Changed outside Terraform', r.details?.changesOutside ?? []);
  if (outside) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: outside } });
  const pending = resourceList('Code not yet applied', r.details?.pendingCodeChanges ?? []);
  if (pending) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: pending } });
  blocks.push({
    type: 'actions', block_id: 'drift_actions', elements: [
      { type: 'button', action_id: PLAN_REMEDIATION_ACTION, text: { type: 'plain_text', text: 'Plan remediation' }, style: 'primary', value: r.id },
    ],
  });
  const addresses = [...new Set([...(r.details?.changesOutside ?? []), ...(r.details?.pendingCodeChanges ?? [])].map((d) => d.address))];
  return { text: `Drift detected in ${driftTarget(r)}: ${r.summary ?? 'drift'}${addresses.length ? ` (${addresses.join(', ')})` : ''}`, blocks };
}

/** In the detected message's thread: who resolved it, or that a check found none. */
export function driftResolvedMessage(r: DriftRecord): SlackMessage {
  const how = r.resolvedBy && r.hasDrift ? `marked resolved by ${escape(r.resolvedBy)}` : 'the latest check found no drift';
  const text = `:white_check_mark: *Drift resolved* in ${escape(driftTarget(r))}: ${how}${r.lastCheckedAt ? ` (checked ${new Date(r.lastCheckedAt).toISOString()})` : ''}`;
  return { text: text.replace(/[*`]/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

function resourceList(title: string, resources: DriftedResource[]): string | null {
  if (!resources.length) return null;
  const lines = resources.slice(0, MAX_RESOURCES).map((d) => `• \`${escape(d.action)}\` ${escape(d.address)}${attributes(d)}`);
  if (resources.length > MAX_RESOURCES) lines.push(`…and ${resources.length - MAX_RESOURCES} more`);
  const text = `*${title}*\n${lines.join('\n')}`;
  return text.length <= SECTION_LIMIT ? text : `${text.slice(0, SECTION_LIMIT - 1)}…`;
}

/** Attribute names only; a sensitive one is marked so (its value is never in the record). */
function attributes(d: DriftedResource): string {
  if (!d.attributes.length) return '';
  const names = d.attributes.map((a) => (d.sensitiveAttributes.includes(a) ? `${escape(a)} (sensitive)` : escape(a)));
  return ` — ${names.join(', ')}`;
}
