import { z } from 'zod';
import { RepoRelDir, Workspace } from '../projects/project.schemas.js';

export const RepoFullName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/repo')
  .refine((v) => !v.split('/').some((p) => p === '.' || p === '..'), 'must be owner/repo');

export const ExtraArgs = z.array(z.string().max(4096)).max(100).default([]);

/** POST /api/v1/runs (atlantas-api.txt "Runs"), also the MCP `create_run` input. */
export const CreateRunInput = z
  .object({
    title: z.string().trim().max(200).default(''),
    command: z.enum(['plan', 'apply', 'destroy'], { message: 'must be plan, apply or destroy' }).default('plan'),
    project: z.string().trim().min(1).optional().describe('a registered project (name or id); or give repo'),
    repo: RepoFullName.optional(),
    branch: z.string().trim().min(1).max(255).optional(),
    dir: RepoRelDir.optional(),
    workspace: Workspace.optional(),
    project_name: z.string().trim().max(100).optional().describe('a project named in the repo\'s atlantis.yaml'),
    pr: z.number().int().positive().optional(),
    extra_args: ExtraArgs,
    keep_plan: z.boolean().optional().describe('command plan outside a pull request: keep the plan and its lock to apply it later by run id (POST /api/v1/runs/{id}/apply), until ATLANTAS_PLAN_TTL'),
    scheduled_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time such as 2026-03-20T10:00:00Z' }).optional(),
  })
  .strict()
  .refine((v) => v.project || v.repo, { message: 'give either project (a registered project) or repo (owner/repo)', path: ['project'] });
export type CreateRunInput = z.infer<typeof CreateRunInput>;

export const ListRunsQuery = z.object({
  status: z.string().optional(),
  project: z.string().optional(),
  environment: z.string().uuid().optional(),
  repo: z.string().optional(),
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional().describe('continue after the previous page: the cursor of its Link rel="next" (or X-Next-Cursor)'),
}).refine((q) => !(q.cursor && q.page !== 1), { message: 'a cursor continues a listing by itself; leave page out when you pass cursor', path: ['page'] });

/** GET /api/v1/runs/{id}/events; a reconnecting EventSource sends Last-Event-ID instead, which wins. */
export const RunEventsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0).describe('resume after this log sequence (the last `id:` received)'),
});

/** A kept plan's target (core.commands.planKept; Slack's `/atlantas plan owner/repo[#PR] -d -w -p -- args`). */
export const KeptPlanTargetInput = z
  .object({
    repo: RepoFullName,
    pr: z.number().int().positive().nullable().optional(),
    branch: z.string().trim().min(1).max(255).optional(),
    dir: RepoRelDir.optional(),
    workspace: Workspace.optional(),
    project: z.string().trim().min(1).max(100).optional(),
    extraArgs: ExtraArgs,
    title: z.string().trim().max(200).optional(),
  })
  .strict();
