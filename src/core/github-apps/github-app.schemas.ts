import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';

const NumericId = (what: string) =>
  z.union([z.string().trim(), z.number().int().positive()])
    .transform((v) => String(v))
    .refine((v) => /^[1-9][0-9]{0,19}$/.test(v), `must be the numeric ${what} GitHub shows (digits only)`);

/** `\n` typed as two characters (an env file, a JSON one-liner) becomes a line break; the key must be an RSA private key. */
const PrivateKeyPem = z.string().max(16_384, 'is too long for a GitHub App private key').transform((v) => v.replace(/\\n/g, '\n').trim() + '\n')
  .superRefine((pem, ctx) => {
    if (!/^-----BEGIN (RSA )?PRIVATE KEY-----\n/.test(pem)) {
      ctx.addIssue({ code: 'custom', message: 'must be the PEM private key GitHub generated for the App (-----BEGIN RSA PRIVATE KEY----- …)' });
      return;
    }
    try {
      if (createPrivateKey(pem).asymmetricKeyType !== 'rsa') ctx.addIssue({ code: 'custom', message: 'must be an RSA key: GitHub Apps sign with RS256' });
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a readable PEM private key (a damaged or truncated .pem file?)' });
    }
  });

/** POST /api/v1/github/apps: register an installation of the tenant's own GitHub App. */
export const CreateGitHubAppInput = z.object({
  name: z.string().trim().min(1, 'is required').max(200),
  app_id: NumericId('App ID'),
  installation_id: NumericId('installation id'),
  account_login: z.string().trim().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be the GitHub organization or user the App is installed on'),
  private_key: PrivateKeyPem,
  webhook_secret: z.string().min(8, 'must be at least 8 characters (the App\'s webhook secret)').max(1024).optional(),
}).strict();
export type CreateGitHubAppInput = z.output<typeof CreateGitHubAppInput>;

export const TreeQuery = z.object({ ref: z.string().trim().min(1).max(255).optional() });

export const GitHubAppResource = z.object({
  id: z.string(), name: z.string(), app_id: z.string(), installation_id: z.string(), account_login: z.string(),
  has_webhook_secret: z.boolean(), repos_synced_at: z.string().nullable(), created_by: z.string(), created_at: z.string(), updated_at: z.string(),
}).describe('a GitHub App installation registered by your tenant; its private key and webhook secret are never shown');

export const GitHubRepoResource = z.object({
  full_name: z.string(), owner: z.string(), name: z.string(), private: z.boolean(), default_branch: z.string(), html_url: z.string(),
});
export const GitHubBranchResource = z.object({ name: z.string(), sha: z.string(), protected: z.boolean() });
export const GitHubTreeResource = z.object({
  repository: z.string(), ref: z.string(), sha: z.string(), truncated: z.boolean(),
  tree: z.array(z.object({ path: z.string(), type: z.enum(['blob', 'tree', 'commit']), mode: z.string(), sha: z.string(), size: z.number().optional() })),
});
export const TerraformWorkspacesResource = z.object({
  repository: z.string(), ref: z.string(), sha: z.string(),
  config_file: z.string().nullable().describe('the atlantis.yaml that declared projects, when there is one'),
  workspaces: z.array(z.object({
    dir: z.string(), workspace: z.string(), name: z.string().nullable(),
    source: z.enum(['atlantis.yaml', 'discovered']).describe('declared in atlantis.yaml, or found as a directory of .tf files (as autoplan finds them)'),
  })),
});
