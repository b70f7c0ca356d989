import { z } from 'zod';
import { PlannedResult } from '../runs/job.js';

export const CreateRunnerPoolInput = z.object({
  name: z.string().trim().min(1).max(100),
  /** a pool every tenant may use; platform admins only */
  shared: z.boolean().default(false),
  /** the pool the tenant's runs wait for when their project names none */
  tenant_default: z.boolean().default(false),
}).strict();
export const CreateRunnerTokenInput = z.object({ name: z.string().trim().min(1).max(100) }).strict();
export const RegisterRunnerInput = z.object({ name: z.string().trim().min(1).max(200), version: z.string().trim().min(1).max(100) }).strict();
export const RunnerHeartbeatInput = z.object({ runs: z.array(z.string()).max(256) }).strict();
export const RunnerLogInput = z.object({ phase: z.enum(['init', 'plan', 'apply']), chunk: z.string().max(4 * 1024 * 1024) }).strict();
export const RunnerPoolResource = z.object({ id: z.string(), name: z.string(), shared: z.boolean(), tenant_id: z.string().nullable(), created_at: z.string() });
export const RunnerResource = z.object({ id: z.string(), name: z.string(), version: z.string(), last_heartbeat_at: z.string(), current_runs: z.array(z.string()), current_run: z.string().nullable() });
export const RunnerTokenCreated = z.object({ id: z.string(), name: z.string(), pool_id: z.string(), token: z.string().describe('shown this once') });

/** `POST /api/v2/agent-pools/join` (and the legacy `…/{pool_id}/listeners/join`): the join token in the body is the credential. */
export const ListenerJoinInput = z.object({
  join_token: z.string().min(1, 'is required').max(200),
  name: z.string().trim().min(1, 'is required').max(200).regex(/^[^\s/]+$/, 'must have no spaces or slashes'),
  runner_definitions: z.array(z.string().max(100)).max(50).optional(),
  version: z.string().trim().max(100).optional(),
}).passthrough();

/** `POST /api/v2/listeners/{id}/heartbeat`: the runs it holds (omitted: every run it claimed). */
export const ListenerHeartbeatInput = z.object({ runs: z.array(z.string()).max(256).optional() }).passthrough();

const ListenerRunAttributes = z.object({
  status: z.enum(['planning', 'planned', 'applying', 'applied', 'errored', 'canceled'], { message: 'must be planning, planned, applying, applied, errored or canceled' }),
  /** with `planned`: what the plan came to (the plan file was PUT to /api/v1/runner/jobs/{run}/plan first) */
  result: PlannedResult.optional(),
  error: z.string().max(64_000).optional(),
  'status-reason': z.string().max(4000).optional(),
}).passthrough();

/** `PATCH /api/v2/listeners/{id}/runs/{run_id}`: `{"data":{"type":"runs","attributes":{"status":"planned",…}}}`. */
export const ListenerRunReportInput = z.object({
  data: z.object({ type: z.literal('runs').optional(), attributes: ListenerRunAttributes }).passthrough(),
}).passthrough();
export type ListenerRunReportInput = z.infer<typeof ListenerRunReportInput>;
