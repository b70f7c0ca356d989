import { z } from 'zod';
import { RunResource } from '../../api/openapi/resources.js';
import { runJson } from '../../api/presenters/runs.js';
import { approvalJson } from '../../core/approvals/approval-view.js';
import { ApprovalOutput, Reason } from '../../core/approvals/approval.schemas.js';
import { defineTool } from '../tool.js';
import { RunId } from './get-run.tool.js';

export const applyRunTool = defineTool({
  name: 'apply_run',
  title: 'Apply a planned run',
  description: 'Asks to apply a planned run\'s saved plan (status planned). Unless your token\'s policy allows this project and the plan\'s destroys, ' +
    'this does NOT apply: it returns status pending_approval with an approval request that a person must approve in Slack, on the pull request ' +
    'or through the REST API. Tell the user, with the link; then poll get_run (or list_approvals). Give a reason a reviewer will understand.',
  input: z.object({ run_id: RunId, reason: Reason.describe('why this should be applied; shown to the person who approves') }),
  output: z.object({
    status: z.enum(['confirmed', 'pending_approval', 'rejected']).describe('confirmed: the apply is queued; pending_approval: waiting for a person; rejected: the person said no (the plan is discarded)'),
    run: RunResource, approval: ApprovalOutput.nullable(), why: z.string().nullable(), approved_by: z.string().nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run({ core, actor, baseUrl, inlineApprover }, { run_id, reason }) {
    const r = await core.approvals.applyRun(actor, run_id, reason, inlineApprover);
    if (r.status === 'confirmed') {
      return { structured: { status: r.status, run: runJson(r.run), approval: null, why: null, approved_by: r.approvedBy }, text: `Run ${r.run.id} is confirmed (${r.approvedBy}); it applies now. Poll get_run until applied or errored.` };
    }
    const approval = approvalJson(r.approval, baseUrl);
    if (r.status === 'rejected') return { structured: { status: r.status, run: runJson(r.run), approval, why: r.why, approved_by: null }, text: `Not applied: ${r.why}; the plan is discarded.` };
    return {
      structured: { status: r.status, run: runJson(r.run), approval, why: r.why, approved_by: null },
      text: `Not applied yet: ${r.why}. Approval request ${approval.id} waits for a person (until ${approval.expires_at}): ${approval.link}. ` +
        'Ask the user to approve it in Slack, on the pull request, or with POST …/approve; then poll get_run.',
    };
  },
});
