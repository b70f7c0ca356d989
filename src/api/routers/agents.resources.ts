import { z } from 'zod';
import 'zod-openapi';
import type { Agent } from '../../core/agents/agent.model.js';
import { AGENT_TYPES } from '../../core/agents/agent-types.js';
import type { ExecutionWithRuns } from '../../core/agents/agents.service.js';
import type { AgentExecution } from '../../core/agents/agent.repository.js';
import { RunResource } from '../openapi/resources.js';
import { runJson } from '../presenters/runs.js';
import { iso } from '../presenters/iso.js';

/** How /api/v1/agents presents agents and their executions, and the same as zod schemas for the OpenAPI document. */


export const agentJson = (a: Agent) => ({
  id: a.id, tenant_id: a.tenantId, name: a.name, agent_type: a.agentType, schedule: a.schedule, timezone: a.timezone, is_active: a.isActive,
  config: a.config, target_project_id: a.targetProjectId, target_environment_id: a.targetEnvironmentId, target_instance_id: a.targetInstanceId,
  created_at: iso(a.createdAt)!, updated_at: iso(a.updatedAt)!,
});

export const executionJson = (e: AgentExecution | ExecutionWithRuns) => ({
  id: e.id, agent_id: e.agentId, trigger: e.trigger, scheduled_for: iso(e.scheduledFor), status: e.status, summary: e.summary,
  findings: e.findings.map((f) => ({ key: f.key, kind: f.kind, message: f.message, notified: f.notified ?? false, details: f.details ?? {} })),
  error: e.error, replica: e.replica, run_ids: e.runIds, runs: 'runs' in e ? e.runs.map(runJson) : [],
  started_at: iso(e.startedAt)!, finished_at: iso(e.finishedAt),
});

const Uuid = z.uuid();
const Timestamp = z.iso.datetime({ offset: true }).describe('ISO 8601 time');

export const AgentResource = z
  .object({
    id: Uuid, tenant_id: Uuid, name: z.string(), agent_type: z.enum(AGENT_TYPES), schedule: z.string().describe('cron expression (5 fields, or 6 with seconds)'),
    timezone: z.string().describe('IANA zone the schedule is read in'), is_active: z.boolean(), config: z.record(z.string(), z.unknown()),
    target_project_id: Uuid.nullable(), target_environment_id: Uuid.nullable(), target_instance_id: Uuid.nullable(), created_at: Timestamp, updated_at: Timestamp,
  })
  .strict()
  .meta({ id: 'Agent' });

export const AgentExecutionResource = z
  .object({
    id: Uuid, agent_id: Uuid, trigger: z.enum(['schedule', 'manual']), scheduled_for: Timestamp.nullable().describe('the schedule slot it ran for; null when triggered'),
    status: z.enum(['running', 'succeeded', 'failed', 'unavailable']), summary: z.string(),
    findings: z.array(z.object({ key: z.string(), kind: z.string(), message: z.string(), notified: z.boolean().describe('told people about it in this execution'), details: z.record(z.string(), z.unknown()) })),
    error: z.string().nullable(), replica: z.string().describe('the server process (host/pid) that ran it'), run_ids: z.array(Uuid), runs: z.array(RunResource),
    started_at: Timestamp, finished_at: Timestamp.nullable(),
  })
  .strict()
  .meta({ id: 'AgentExecution' });

// A presenter and its schema name the same fields (a mismatch is a type error here).
type Same<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
export const AGENT_PRESENTERS_DESCRIBED: [Same<ReturnType<typeof agentJson>, z.output<typeof AgentResource>>, Same<ReturnType<typeof executionJson>, z.output<typeof AgentExecutionResource>>] = [true, true];
