import { z } from 'zod';
import { parseDuration } from '../../config.js';
import { ResourceName } from '../projects/project.schemas.js';
import { AGENT_TYPES, type AgentType } from './agent-types.js';
import { cronProblem, timezoneProblem } from './agent-schedule.js';

/** Inputs of /api/v1/agents (and of any other surface that manages agents): validated here, once. */

const Schedule = z.string().trim().min(1, 'is required: a cron expression such as "*/15 * * * *"').superRefine((expr, ctx) => {
  const problem = cronProblem(expr);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const Timezone = z.string().trim().superRefine((tz, ctx) => {
  const problem = timezoneProblem(tz);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const Duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration such as 30m, 12h or 7d').transform(parseDuration);
const HttpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

/** Each type's `config`, strict: a misspelt key is an error, not a silently ignored setting. */
export const AGENT_CONFIG = {
  drift_monitor: z.object({ auto_remediate: z.boolean().default(false) }).strict(),
  state_watcher: z
    .object({
      max_lock_age: Duration.prefault('4h'),
      stale_after_days: z.number().int().min(1).max(3650).optional(),
    })
    .strict(),
  apply_bot: z
    .object({
      /** project names (* wildcards) it may apply; empty: the registered projects marked auto_apply */
      projects: z.array(z.string().trim().min(1).max(200).regex(/^[A-Za-z0-9_.*-]+$/, 'must be a project name, with * as a wildcard (e.g. dev-*)')).max(100).default([]),
      /** the most resources a plan it applies may destroy (replacements count) */
      max_destroy: z.number().int().min(0).max(100_000).default(0),
    })
    .strict(),
  upgrade_bot: z
    .object({
      registry_url: HttpUrl.default('https://registry.terraform.io'),
      releases_url: HttpUrl.default('https://api.releases.hashicorp.com/v1/releases/terraform'),
      /** the head branch of the upgrade PR */
      branch: z.string().regex(/^[A-Za-z0-9._/-]+$/).max(200).default('atlantas/upgrade-bot'),
    })
    .strict(),
  codebase_monitor: z
    .object({
      /** the repository to scan; default: every repository the tenant's projects use */
      repository_url: z.string().trim().regex(/^(https?:\/\/[^\s]+|[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)$/, 'must be an https URL such as https://github.com/org/infra, or owner/repo').optional(),
      branch: z.string().trim().min(1).max(255).default('main'),
    })
    .strict(),
} satisfies Record<AgentType, z.ZodType>;

/**
 * The config keys of each type that hold a URL the server will call: checked against the outbound
 * guard when the agent is created or changed (and again at each call), so a tenant admin cannot
 * point an agent at the server's own network.
 */
export const AGENT_OUTBOUND_URLS: Partial<Record<AgentType, readonly string[]>> = { upgrade_bot: ['registry_url', 'releases_url'] };

export type StateWatcherConfig = z.output<typeof AGENT_CONFIG.state_watcher>;
export type UpgradeBotConfig = z.output<typeof AGENT_CONFIG.upgrade_bot>;
export type DriftMonitorConfig = z.output<typeof AGENT_CONFIG.drift_monitor>;

const Target = z.string().uuid().nullable();

export const CreateAgentInput = z
  .object({
    name: ResourceName,
    agent_type: z.enum(AGENT_TYPES, { message: `must be one of ${AGENT_TYPES.join(', ')}` }),
    schedule: Schedule,
    timezone: Timezone.default('UTC'),
    is_active: z.boolean().default(true),
    config: z.record(z.string(), z.unknown()).default({}),
    target_project_id: Target.optional(),
    target_environment_id: Target.optional(),
    target_instance_id: Target.optional(),
  })
  .strict();
export type CreateAgentInput = z.infer<typeof CreateAgentInput>;

export const UpdateAgentInput = z
  .object({
    name: ResourceName,
    schedule: Schedule,
    timezone: Timezone,
    config: z.record(z.string(), z.unknown()),
    target_project_id: Target,
    target_environment_id: Target,
    target_instance_id: Target,
  })
  .partial()
  .strict();
export type UpdateAgentInput = z.infer<typeof UpdateAgentInput>;

export const ListExecutionsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();
