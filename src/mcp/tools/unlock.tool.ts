import { z } from 'zod';
import { LockResource } from '../../api/openapi/resources.js';
import { approvalJson } from '../../core/approvals/approval-view.js';
import { ApprovalOutput, Reason } from '../../core/approvals/approval.schemas.js';
import { lockJson } from '../../core/locks/locks.service.js';
import { defineTool } from '../tool.js';

export const unlockTool = defineTool({
  name: 'unlock',
  title: 'Release a project lock',
  description: 'Releases a project lock and discards the plans waiting under it. A lock you (this token) took is released at once; ' +
    'anyone else\'s returns pending_approval: a person must approve it. Give a reason.',
  input: z.object({ lock_id: z.string().trim().min(1).max(500).describe('the lock id or key, from list_locks'), reason: Reason }),
  output: z.object({ status: z.enum(['unlocked', 'pending_approval']), lock: LockResource, approval: ApprovalOutput.nullable(), why: z.string().nullable() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ core, actor, baseUrl }, { lock_id, reason }) {
    const r = await core.approvals.unlock(actor, lock_id, reason);
    const lock = lockJson(r.lock);
    if (r.status === 'unlocked') return { structured: { status: r.status, lock, approval: null, why: null }, text: `Released lock ${lock.key}.` };
    const approval = approvalJson(r.approval, baseUrl);
    return { structured: { status: r.status, lock, approval, why: r.why }, text: `Not released: ${r.why}. Approval request ${approval.id} waits for a person: ${approval.link}.` };
  },
});
