import { z } from 'zod';
import { ROLES } from '../actor.js';
import { McpPolicyInput } from '../approvals/agent-policy.js';
import { TOKEN_SCOPES } from './token-scopes.js';

export const Email = z.string().trim().toLowerCase().email('must be an email address').max(320);
export const Password = z.string().min(12, 'must be at least 12 characters').max(1024);
export const RoleInput = z.enum(ROLES as [string, ...string[]], { message: `must be one of ${ROLES.join(', ')}` });

export const LoginInput = z.object({ email: z.string().trim().min(1, 'is required'), password: z.string().min(1, 'is required') });
export type LoginInput = z.infer<typeof LoginInput>;

/** AtlasAI's POST /api/auth/token: a password login, or a refresh token for a new pair. */
export const AtlasaiTokenInput = z.union([
  z.strictObject({ refresh_token: z.string().min(1, 'is required') }),
  LoginInput,
], { error: 'send { "email", "password" } or { "refresh_token" }' });

export const RegisterInput = z.object({
  email: Email,
  password: Password,
  name: z.string().trim().max(200).default(''),
  role: RoleInput.default('member'),
});
export type RegisterInput = z.infer<typeof RegisterInput>;

export const SetRoleInput = z.object({ role: RoleInput });

/** GET /api/v1/users: a page of the tenant's users, oldest first. */
export const ListUsersQuery = z.object({
  role: RoleInput.optional(),
  active: z.enum(['true', 'false'], { message: 'must be true or false' }).optional().describe('only active (true) or deactivated (false) users'),
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(200).default(50),
}).strict();

export const ChangePasswordInput = z.object({
  current_password: z.string().min(1, 'is required'),
  new_password: Password,
});
export type ChangePasswordInput = z.infer<typeof ChangePasswordInput>;

export const CreateTokenInput = z.object({
  name: z.string().trim().min(1, 'is required').max(200),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
  /** default: the caller's role (read for a viewer, write for a member, admin for an admin) */
  scopes: z.array(z.enum(TOKEN_SCOPES, { message: `must be one of ${TOKEN_SCOPES.join(', ')}` })).min(1, 'needs at least one scope').max(5).optional(),
  /** an agent (mcp:*) token only: projects it may apply without a human */
  mcp_policy: McpPolicyInput.optional(),
});
export type CreateTokenInput = z.infer<typeof CreateTokenInput>;

export const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes');

export const CreateTenantInput = z.object({
  slug: Slug,
  name: z.string().trim().min(1).max(200).optional(),
  admin_email: Email,
  admin_password: Password,
  max_instances: z.number().int().min(0).optional(),
  max_environments: z.number().int().min(0).optional(),
});
export type CreateTenantInput = z.infer<typeof CreateTenantInput>;

export const QuotasInput = z
  .object({
    max_instances: z.number().int().min(0).max(100_000),
    max_environments: z.number().int().min(0).max(100_000),
    max_incidents: z.number().int().min(0).max(1_000_000),
    cpu_quota: z.string().regex(/^\d+(m)?$/, 'must be CPU units such as 4000m or 4'),
    memory_quota: z.string().regex(/^\d+(Ki|Mi|Gi|Ti)?$/, 'must be a quantity such as 8Gi or 512Mi'),
  })
  .partial()
  .strict();
export type QuotasInput = z.infer<typeof QuotasInput>;

/** owner/repo, with `*` wildcards (matched case-insensitively) */
export const RepoPattern = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.*-]+\/[A-Za-z0-9_.*-]+$/, 'must be an owner/repo pattern such as acme/infra or acme/*');

/** PATCH /api/v1/tenants/{id} (platform admin) */
export const UpdateTenantInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    repo_allowlist: z.array(RepoPattern).max(500),
  })
  .partial()
  .strict();
export type UpdateTenantInput = z.infer<typeof UpdateTenantInput>;
