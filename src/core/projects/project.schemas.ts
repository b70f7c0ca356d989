import { z } from 'zod';
import { cleanRepoRelDir, workspaceProblem } from './paths.js';
import { NOTIFICATION_KINDS } from '../notifications/notification.js';
import { CRITICALITIES } from './project.model.js';

export const ResourceName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"');

export const Workspace = z.string().superRefine((ws, ctx) => {
  const problem = workspaceProblem(ws);
  if (problem) ctx.addIssue({ code: 'custom', message: `invalid workspace "${ws}": ${problem}` });
});

export const RepoRelDir = z.string().transform((dir, ctx) => {
  const cleaned = cleanRepoRelDir(dir);
  if (cleaned === null) {
    ctx.addIssue({ code: 'custom', message: `"${dir}" escapes the repository; use a path inside it` });
    return z.NEVER;
  }
  return cleaned;
});

export const RepositoryUrl = z
  .string()
  .trim()
  .max(500)
  .refine(
    (v) => v === '' || /^https?:\/\/[^\s]+$/.test(v) || /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(v),
    'must be an https URL such as https://github.com/org/infra, or owner/repo',
  );

/** A Slack channel id (C0123ABCD) or name (#ops); null: the tenant's default channel. */
export const SlackChannel = z
  .string()
  .trim()
  .regex(/^#?[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'must be a Slack channel id such as C0123ABCD or a name such as #ops')
  .nullable();

export const NotifyEvents = z
  .array(z.enum(NOTIFICATION_KINDS, { message: `must be one of ${NOTIFICATION_KINDS.join(', ')}` }))
  .max(NOTIFICATION_KINDS.length)
  .transform((kinds) => [...new Set(kinds)])
  .nullable()
  .describe('the notification kinds this project sends; null (the default) = every kind, [] = none');

export const Criticality = z
  .enum(CRITICALITIES, { message: `must be one of ${CRITICALITIES.join(', ')}` })
  .nullable()
  .describe('how much an incident on this project matters; automatic incidents take their severity from it (null: the default severity)');
/** A cloud credential of the tenant its runs get as env (admins only); null: none (an environment's, if any). */
export const CloudCredentialRef = z.string().uuid('must be a cloud credential id').nullable();

const ProjectFields = {
  name: ResourceName,
  repository_url: RepositoryUrl.default(''),
  terraform_path: RepoRelDir.default('.'),
  workspace: Workspace.default('default'),
  branch: z.string().trim().min(1).max(255).default('main'),
  state_backend: z.enum(['platform', 'external']).default('platform'),
  auto_apply: z.boolean().default(false),
  requires_change: z.boolean().optional().describe('apply only inside the window of an approved change request (/api/itsm/changes)'),
  environment_id: z.string().uuid().nullable().optional(),
  slack_channel: SlackChannel.optional(),
  notify_events: NotifyEvents.optional(),
  criticality: Criticality.optional(),
  cloud_credential_id: CloudCredentialRef.optional(),
};

export const CreateProjectInput = z.object(ProjectFields).strict();
export type CreateProjectInput = z.infer<typeof CreateProjectInput>;

export const UpdateProjectInput = z
  .object({
    name: ProjectFields.name,
    repository_url: RepositoryUrl,
    terraform_path: RepoRelDir,
    workspace: Workspace,
    branch: z.string().trim().min(1).max(255),
    state_backend: z.enum(['platform', 'external']),
    auto_apply: z.boolean(),
    requires_change: z.boolean(),
    environment_id: z.string().uuid().nullable(),
    slack_channel: SlackChannel,
    notify_events: NotifyEvents,
    criticality: Criticality,
    cloud_credential_id: CloudCredentialRef,
  })
  .partial()
  .strict();
export type UpdateProjectInput = z.infer<typeof UpdateProjectInput>;

const TfIdentifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must be a terraform identifier');

export const AddDependencyInput = z
  .object({
    depends_on_project_id: z.string().uuid('must be a project id'),
    /** this project's input variable → the dependency's output */
    output_mapping: z.record(TfIdentifier, TfIdentifier).default({}),
  })
  .strict();
export type AddDependencyInput = z.infer<typeof AddDependencyInput>;

export const LayoutInput = z
  .array(z.object({ id: z.string().uuid(), position_x: z.number().finite(), position_y: z.number().finite() }).strict())
  .max(10_000);
export type LayoutInput = z.infer<typeof LayoutInput>;
