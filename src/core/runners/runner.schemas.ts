import { z } from 'zod';

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
