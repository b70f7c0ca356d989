import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Actor } from '../core/actor.js';
import type { ApprovalRequest } from '../core/approvals/approval.model.js';
import type { InlineApprover } from '../core/approvals/approvals.service.js';

/** How long the person at the keyboard has to answer before the request just stays pending. */
const ANSWER_WITHIN_MS = 10 * 60_000;

/**
 * Asks the person bound to this session, through the client's elicitation form, to approve an
 * agent's request. Only a clear "approve: true/false" decides; declining the form, closing it or
 * a client without elicitation leaves the request pending for Slack, the PR or REST.
 */
export function elicitingApprover(server: McpServer, approver: Actor): InlineApprover {
  return {
    approver,
    async ask(request: ApprovalRequest) {
      if (!server.server.getClientCapabilities()?.elicitation) return null;
      try {
        const answer = await server.server.elicitInput({
          message: `The assistant (${request.requestedByName}) asks to ${request.summary}.\nIts reason: "${request.reason}".\nApprove as ${approver.name}?`,
          requestedSchema: {
            type: 'object',
            properties: { approve: { type: 'boolean', title: 'Approve', description: `true: ${request.action.replace('_', ' ')} now, as you; false: reject it` } },
            required: ['approve'],
          },
        }, { timeout: ANSWER_WITHIN_MS });
        if (answer.action !== 'accept' || typeof answer.content?.approve !== 'boolean') return null;
        return answer.content.approve ? 'approved' : 'rejected';
      } catch {
        return null; // no answer in time, or the client went away: the request waits for another channel
      }
    },
  };
}
