import type { RunbookStatus, RunbookStep } from './runbook.schemas.js';

export interface Runbook {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  status: RunbookStatus;
  steps: RunbookStep[];
  /** +1 on every change; an execution names the version it ran */
  version: number;
  /** manual, or how a draft was generated: deterministic, llm */
  generatedBy: string | null;
  /** the incident a generated draft came from */
  incidentId: string | null;
  createdBy: string;
  updatedBy: string;
  publishedAt: Date | null;
  publishedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What one step did (or, in a dry run, would do). */
export interface StepResult {
  index: number;
  action: RunbookStep['action'];
  /** done; would_run (dry run); waiting_approval (an apply planned, or a wait step); skipped (after a stop); failed */
  status: 'done' | 'would_run' | 'waiting_approval' | 'skipped' | 'failed';
  message: string;
  runId?: string;
  approvalId?: string;
  lockId?: string;
  agentExecutionId?: string;
}

/** `resuming` only while one resume carries it on */
export type ExecutionStatus = 'dry_run' | 'completed' | 'waiting_approval' | 'resuming' | 'failed';

export interface RunbookExecution {
  id: string;
  tenantId: string;
  runbookId: string;
  runbookVersion: number;
  incidentId: string | null;
  dryRun: boolean;
  status: ExecutionStatus;
  steps: StepResult[];
  actorKind: string;
  actorName: string;
  via: string;
  createdAt: Date;
  finishedAt: Date | null;
}
