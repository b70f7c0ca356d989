import { describe, expect, it } from 'vitest';
import { approvalCard } from '../../../src/bot/slack/approval-blocks.js';

const ID = '7d1c2b3a-0000-4000-8000-000000000001';
const pending = {
  id: ID, action: 'apply', summary: 'apply acme/infra vpc (default): 1 to add, 0 to change, 0 to destroy', reason: 'roll out the <new> subnet',
  requestedByName: 'claude (token agent)', requestedVia: 'mcp', status: 'pending', expiresAt: new Date('2026-12-03T10:00:00Z'),
  decidedByName: null, decidedVia: null, outcome: null,
};

describe('approval cards (Block Kit, pure)', () => {
  it('asks a human with Approve and Reject while pending', () => {
    expect(approvalCard(pending, null)).toEqual({
      text: 'Approval requested by claude (token agent): apply acme/infra vpc (default): 1 to add, 0 to change, 0 to destroy (pending)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Approval requested: apply' } },
        { type: 'section', text: { type: 'mrkdwn', text: '*apply acme/infra vpc (default): 1 to add, 0 to change, 0 to destroy*\n>roll out the &lt;new&gt; subnet' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `asked by claude (token agent) via mcp · expires 2026-12-03T10:00:00.000Z · request \`${ID}\`` }] },
        { type: 'section', text: { type: 'mrkdwn', text: ':raised_hand: *Waiting for a human* with the role to decide' } },
        {
          type: 'actions', block_id: 'approval_actions', elements: [
            { type: 'button', action_id: 'approve_request', text: { type: 'plain_text', text: 'Approve' }, style: 'primary', value: ID },
            { type: 'button', action_id: 'reject_request', text: { type: 'plain_text', text: 'Reject' }, style: 'danger', value: ID },
          ],
        },
      ],
    });
  });

  it('says who decided where, without buttons', () => {
    const approved = approvalCard({ ...pending, status: 'approved', decidedByName: 'alice@example.com', decidedVia: 'slack', outcome: 'applying' }, 'https://a.example/api/v1/approvals/x');
    expect(approved.blocks.at(-1)).toEqual({ type: 'section', text: { type: 'mrkdwn', text: ':white_check_mark: *Approved* by alice@example.com via slack — applying' } });
    expect(JSON.stringify(approved.blocks)).toContain('<https://a.example/api/v1/approvals/x|request 7d1c2b3a>');
    expect(approvalCard({ ...pending, status: 'expired' }, null).blocks.at(-1)).toEqual({ type: 'section', text: { type: 'mrkdwn', text: ':hourglass: *Expired*' } });
  });
});
