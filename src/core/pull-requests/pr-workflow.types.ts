import type { ProjectLock } from '../locks/project-lock.model.js';
import type { Run } from '../runs/run.model.js';
import type { PrBatch } from './pr-batch.repository.js';

/**
 * What a pull-request front end hands the core and gets back. The front end parses the comment
 * (the shared grammar) and renders the result; everything in between — allowlist, the
 * commenter's permission, statuses, locks, runs — is decided by PrWorkflowService.
 */
export interface PrCommand {
  name: string;
  project?: string;
  dir?: string;
  workspace?: string;
  extraArgs?: string[];
  verbose?: boolean;
}

export interface PrCommentInput {
  tenantId: string;
  repoFullName: string;
  prNumber: number;
  commentId: number;
  authorLogin: string;
  /** the webhook delivery, for the claim record */
  delivery: string;
  /** a reply the grammar wrote (help, usage, a parse error), or a command to run */
  request: { kind: 'reply'; text: string } | { kind: 'command'; command: PrCommand };
}

export type PrCommentResult =
  | { kind: 'duplicate' }
  | { kind: 'reply'; text: string }
  | { kind: 'queued'; batch: PrBatch }
  | { kind: 'unlocked'; locks: ProjectLock[] }
  | { kind: 'canceled'; runs: Run[] }
  | { kind: 'version'; terraformVersion: string }
  | { kind: 'no_policies' }
  | { kind: 'unsupported'; command: string }
  /** refused (a DomainError says why and what to fix) or failed unexpectedly (any other error) */
  | { kind: 'refused'; command: string; error: unknown };

export const AUTOPLAN_ACTIONS = ['opened', 'synchronize', 'ready_for_review'] as const;

export interface PrEventInput {
  tenantId: string;
  repoFullName: string;
  prNumber: number;
  /** the pull_request event's action: opened, synchronize, ready_for_review, closed, … */
  action: string;
  draft: boolean;
  /** the head commit the event names (used for the status when the PR cannot be read) */
  headSha: string;
}

export type PrEventResult =
  | { kind: 'ignored'; reason: string }
  | { kind: 'queued'; batch: PrBatch }
  | { kind: 'closed'; locks: ProjectLock[] }
  | { kind: 'refused'; command: 'autoplan'; error: unknown };
