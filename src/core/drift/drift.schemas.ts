import { z } from 'zod';
import { RepoFullName } from '../runs/run.schemas.js';
import type { DriftTargets } from './drift-targets.js';

/**
 * Inputs of the drift API: Atlantis's /api/drift/* (atlantis-api.md, snake_case, its messages)
 * and Atlantas v1's GET /api/v1/drift. The same shapes serve MCP tools.
 */
const required = (name: string) => ({ message: `missing required parameter: ${name}` });
const Repository = z.string({ error: required('repository').message }).trim().min(1, required('repository')).pipe(RepoFullName);
const Ref = z.string({ error: required('ref').message }).trim().min(1, required('ref')).max(255);
const VcsType = z
  .string({ error: required('type').message })
  .min(1, required('type'))
  .superRefine((t, ctx) => {
    if (t.toLowerCase() !== 'github') ctx.addIssue({ code: 'custom', message: `unsupported VCS type "${t}"; Atlantas works with Github` });
  });

export const DriftDetectInput = z.object({
  repository: Repository,
  ref: Ref,
  type: VcsType,
  projects: z.array(z.string().trim().min(1)).max(500).optional(),
  paths: z.array(z.object({ directory: z.string().optional(), workspace: z.string().optional() })).max(500).optional(),
});
export type DriftDetectInput = z.infer<typeof DriftDetectInput>;

export const DriftStatusQuery = z.object({
  repository: Repository,
  project: z.string().trim().min(1).optional(),
  workspace: z.string().trim().min(1).optional(),
});

export const DriftRemediateInput = z.object({
  repository: Repository,
  ref: Ref,
  type: VcsType,
  action: z.enum(['plan', 'apply'], { message: 'invalid action: must be plan or apply' }).default('plan'),
  projects: z.array(z.string().trim().min(1)).max(500).optional(),
  workspaces: z.array(z.string().trim().min(1)).max(100).optional(),
  drift_only: z.boolean().default(false),
});
export type DriftRemediateInput = z.infer<typeof DriftRemediateInput>;

export const RemediationListQuery = z.object({
  repository: Repository,
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** GET /api/v1/drift */
export const ListDriftQuery = z.object({
  project: z.string().trim().min(1).optional().describe('a project name (atlantis.yaml or registered) or a registered project id'),
  repository: RepoFullName.optional(),
  workspace: z.string().trim().min(1).optional(),
  environment: z.string().uuid().optional(),
  has_drift: z.enum(['true', 'false'], { message: 'must be true or false' }).optional().transform((v) => (v === undefined ? undefined : v === 'true')),
});

/**
 * What a chat or agent front end asks to check (MCP `detect_drift`, Slack `/atlantas drift
 * [project]`): one registered project, an environment's or an instance's projects, a repository
 * at a ref, or — with nothing given — all of the tenant's registered projects.
 */
export const DetectDriftInput = z
  .object({
    project: z.string().trim().min(1).optional().describe('a registered project (name or id)'),
    environment: z.string().uuid().optional().describe('check every project of this environment'),
    instance: z.string().uuid().optional().describe('check every project of this instance'),
    repository: RepoFullName.optional().describe('owner/repo: check its projects at `ref`'),
    ref: z.string().trim().min(1).max(255).optional().describe('with repository: branch, tag or commit (default main)'),
  })
  .strict()
  .refine((v) => [v.project, v.environment, v.instance, v.repository].filter(Boolean).length <= 1, {
    message: 'give at most one of project, environment, instance or repository (none: every registered project)',
  });
export type DetectDriftInput = z.infer<typeof DetectDriftInput>;

export function driftTargetsOf(input: DetectDriftInput): DriftTargets {
  if (input.project) return { kind: 'project', project: input.project };
  if (input.environment) return { kind: 'environment', environmentId: input.environment };
  if (input.instance) return { kind: 'instance', instanceId: input.instance };
  if (input.repository) return { kind: 'repository', repository: input.repository, ref: input.ref ?? 'main' };
  return { kind: 'all' };
}

/** MCP `drift_status`: the stored records, never a new check. */
export const DriftStatusInput = z
  .object({
    project: z.string().trim().min(1).optional().describe('a project name (atlantis.yaml or registered) or a registered project id'),
    repository: RepoFullName.optional(),
    has_drift: z.boolean().optional().describe('only records with (true) or without (false) drift'),
  })
  .strict();
