import { escape, type Block } from './blocks.js';

/**
 * Block Kit for an approval request (an agent asked for something destructive that a human must
 * decide), pure: what is asked and why, who asked through what, until when, and while it is
 * pending the buttons Approve and Reject; afterwards who decided where, and what came of it.
 */
export const APPROVE_REQUEST_ACTION = 'approve_request';
export const REJECT_REQUEST_ACTION = 'reject_request';

export interface ApprovalCardInput {
  id: string;
  action: string;
  summary: string;
  reason: string;
  requestedByName: string;
  requestedVia: string;
  status: string;
  expiresAt: Date | string;
  decidedByName: string | null;
  decidedVia: string | null;
  outcome: string | null;
}

export function approvalCard(a: ApprovalCardInput, link: string | null): { text: string; blocks: Block[] } {
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: `Approval requested: ${a.action}`.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: `*${escape(a.summary)}*\n>${escape(a.reason || 'no reason given')}` } },
    {
      type: 'context', elements: [{
        type: 'mrkdwn',
        text: `asked by ${escape(a.requestedByName)} via ${a.requestedVia} · expires ${new Date(a.expiresAt).toISOString()} · ${link ? `<${link}|request ${a.id.slice(0, 8)}>` : `request \`${a.id}\``}`,
      }],
    },
    { type: 'section', text: { type: 'mrkdwn', text: statusText(a) } },
  ];
  if (a.status === 'pending') {
    blocks.push({
      type: 'actions', block_id: 'approval_actions', elements: [
        { type: 'button', action_id: APPROVE_REQUEST_ACTION, text: { type: 'plain_text', text: 'Approve' }, style: 'primary', value: a.id },
        { type: 'button', action_id: REJECT_REQUEST_ACTION, text: { type: 'plain_text', text: 'Reject' }, style: 'danger', value: a.id },
      ],
    });
  }
  return { text: `Approval requested by ${a.requestedByName}: ${a.summary} (${a.status})`, blocks };
}

function statusText(a: ApprovalCardInput): string {
  const by = a.decidedByName ? ` by ${escape(a.decidedByName)}${a.decidedVia ? ` via ${a.decidedVia}` : ''}` : '';
  const outcome = a.outcome ? ` — ${escape(a.outcome)}` : '';
  switch (a.status) {
    case 'pending': return ':raised_hand: *Waiting for a human* with the role to decide';
    case 'approved': return `:white_check_mark: *Approved*${by}${outcome}`;
    case 'rejected': return `:no_entry_sign: *Rejected*${by}${outcome}`;
    default: return `:hourglass: *${escape(a.status[0].toUpperCase() + a.status.slice(1))}*${outcome}`;
  }
}
