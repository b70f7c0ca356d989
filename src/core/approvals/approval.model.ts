/**
 * An approval request: an automated actor (an AI agent's token, a scheduler agent) asked for
 * something destructive that needs a human. It is pending until a human with the role decides
 * it through a channel other than the requester's (REST, Slack, the PR, an MCP session bound to
 * that human), or until it expires (ATLANTAS_APPROVAL_TTL). Decided exactly once.
 */
import type { ApprovalAction, ApprovalStatus } from './approval.schemas.js';

export type { ApprovalAction, ApprovalStatus };

export interface ApprovalRequest {
  id: string;
  tenantId: string;
  action: ApprovalAction;
  /** run, project_lock or state */
  targetType: string;
  targetId: string;
  projectId: string | null;
  runId: string | null;
  /** what a human is asked to approve, e.g. "apply acme/infra vpc (default): 1 to add, 0 to change, 0 to destroy" */
  summary: string;
  /** why the agent asks, in its own words */
  reason: string;
  requestedByKind: string;
  requestedByUserId: string | null;
  requestedByTokenId: string | null;
  requestedByName: string;
  requestedVia: string;
  status: ApprovalStatus;
  expiresAt: Date;
  decidedByUserId: string | null;
  decidedByName: string | null;
  decidedVia: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  /** what carrying out an approved request did: "applying", or why it could not ("failed: …") */
  outcome: string | null;
  createdAt: Date;
}

export type NewApprovalRequest = Pick<
  ApprovalRequest,
  'tenantId' | 'action' | 'targetType' | 'targetId' | 'projectId' | 'runId' | 'summary' | 'reason' | 'requestedByKind' |
  'requestedByUserId' | 'requestedByTokenId' | 'requestedByName' | 'requestedVia' | 'expiresAt'
>;
