import type { ApprovalRequest } from './approval.model.js';

/**
 * An approval request as every surface shows it (REST, MCP, Slack cards): who asked, for what,
 * why, and who decided where. `baseUrl` is the server's public URL, for the request's link.
 */
export function approvalJson(a: ApprovalRequest, baseUrl = '') {
  return {
    id: a.id, action: a.action, status: a.status, summary: a.summary, reason: a.reason,
    target: { type: a.targetType, id: a.targetId }, run_id: a.runId, project_id: a.projectId,
    requested_by: { name: a.requestedByName, kind: a.requestedByKind, token_id: a.requestedByTokenId, via: a.requestedVia },
    decided_by: a.decidedByName ? { name: a.decidedByName, via: a.decidedVia, at: iso(a.decidedAt), note: a.decisionNote } : null,
    outcome: a.outcome, expires_at: iso(a.expiresAt), created_at: iso(a.createdAt),
    link: `${baseUrl}/api/v1/approvals/${a.id}`,
  };
}
export type ApprovalJson = ReturnType<typeof approvalJson>;

function iso(d: Date | string | null): string | null {
  return d ? new Date(d).toISOString() : null;
}
