import { z } from 'zod';
import { approvalJson } from '../../core/approvals/approval-view.js';
import { ApprovalOutput, ListApprovalsQuery } from '../../core/approvals/approval.schemas.js';
import { defineTool, READ_ONLY } from '../tool.js';

export const listApprovalsTool = defineTool({
  name: 'list_approvals',
  title: 'List approval requests',
  description: 'Lists approval requests (what agents asked a person to approve: applies, destroys, unlocks), newest first, with their status ' +
    '(pending, approved, rejected, expired), reason and who decided. Use it to follow up a pending_approval answer.',
  input: ListApprovalsQuery,
  output: z.object({ approvals: z.array(ApprovalOutput) }),
  annotations: READ_ONLY,
  async run({ core, actor, baseUrl }, q) {
    const approvals = (await core.approvals.list(actor, q)).map((a) => approvalJson(a, baseUrl));
    const lines = approvals.map((a) => `- ${a.id}: ${a.status} ${a.summary} (asked by ${a.requested_by.name}${a.decided_by ? `, decided by ${a.decided_by.name} via ${a.decided_by.via}` : ''})`);
    return { structured: { approvals }, text: `${approvals.length} approval request(s)${lines.length ? ':\n' + lines.join('\n') : '.'}` };
  },
});
