import { z } from 'zod';

export const CLOUD_CREDENTIAL_PROVIDERS = ['aws', 'gcp', 'azure', 'hetzner', 'digitalocean'] as const;
export type CloudProvider = (typeof CLOUD_CREDENTIAL_PROVIDERS)[number];

const Secret = (what: string) => z.string().trim().min(8, `must be the ${what} (at least 8 characters)`).max(8192);
const AwsKeyId = z.string().trim().regex(/^[A-Z0-9]{16,128}$/, 'must be an AWS access key id such as AKIA…');
const AwsRegion = z.string().trim().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1');
const Uuidish = (what: string) => z.string().trim().regex(/^[0-9a-fA-F-]{8,64}$/, `must be the ${what} (a GUID)`);

const AwsKeys = {
  access_key_id: AwsKeyId,
  secret_access_key: Secret('secret access key'),
  session_token: Secret('session token').optional(),
  region: AwsRegion.optional(),
};

/** What each provider's `credentials_json` holds, by `credential_type` (the first is the default). */
export const CREDENTIAL_SHAPES = {
  aws: {
    access_key: z.object(AwsKeys).strict(),
    /** the keys assume the role; runs get the role's temporary credentials */
    assume_role: z.object({
      ...AwsKeys,
      role_arn: z.string().trim().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/deploy'),
      external_id: z.string().trim().min(2).max(1224).optional(),
      session_name: z.string().trim().regex(/^[\w+=,.@-]{2,64}$/, 'must be 2-64 letters, digits or +=,.@_-').optional(),
    }).strict(),
  },
  gcp: {
    /** the service account's JSON key file, as Google gives it */
    service_account: z.object({
      type: z.literal('service_account', { message: 'must be "service_account" (a service account key file)' }),
      client_email: z.string().trim().email('must be the service account\'s email'),
      private_key: z.string().includes('PRIVATE KEY', { message: 'must be the PEM private key of the key file' }),
      private_key_id: z.string().optional(),
      project_id: z.string().optional(),
    }).passthrough(),
  },
  azure: {
    client_secret: z.object({
      client_id: Uuidish('application (client) id'),
      client_secret: Secret('client secret'),
      tenant_id: Uuidish('directory (tenant) id'),
      subscription_id: Uuidish('subscription id'),
    }).strict(),
  },
  hetzner: { token: z.object({ token: Secret('Hetzner Cloud API token') }).strict() },
  digitalocean: { token: z.object({ token: Secret('DigitalOcean API token') }).strict() },
} as const;

const Name = z.string().trim().min(1, 'is required').max(100).regex(/^[\w][\w .()@-]*$/, 'must be letters, digits, spaces and ._-()@, starting with a letter or digit');
const Provider = z.enum(CLOUD_CREDENTIAL_PROVIDERS, { message: `must be one of ${CLOUD_CREDENTIAL_PROVIDERS.join(', ')}` });
const CredentialsJson = z.record(z.string(), z.unknown()).refine((v) => JSON.stringify(v).length <= 32 * 1024, 'must be at most 32 KiB of JSON');

/** Checks `credentials_json` against its provider and type; returns the type and the parsed secrets. */
export function parseCredentials(
  provider: CloudProvider, type: string | undefined, json: Record<string, unknown>, ctx: z.RefinementCtx,
): { type: string; secrets: Record<string, unknown> } | null {
  const shapes = CREDENTIAL_SHAPES[provider] as Record<string, z.ZodType>;
  const chosen = type ?? Object.keys(shapes)[0]!;
  const shape = shapes[chosen];
  if (!shape) {
    ctx.addIssue({ code: 'custom', path: ['credential_type'], message: `${provider} credentials are of type ${Object.keys(shapes).join(' or ')}` });
    return null;
  }
  const parsed = shape.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['credentials_json', ...issue.path.map(String)], message: issue.message });
    return null;
  }
  return { type: chosen, secrets: parsed.data as Record<string, unknown> };
}

export const CreateCloudCredentialInput = z
  .object({
    name: Name,
    provider: Provider,
    credential_type: z.string().trim().max(40).optional(),
    credentials_json: CredentialsJson,
  })
  .strict()
  .transform((v, ctx) => {
    const parsed = parseCredentials(v.provider, v.credential_type, v.credentials_json, ctx);
    return parsed ? { name: v.name, provider: v.provider, credentialType: parsed.type, secrets: parsed.secrets } : z.NEVER;
  });
export type CreateCloudCredentialInput = z.output<typeof CreateCloudCredentialInput>;

/** PATCH: rename, and/or rotate: new `credentials_json` replaces all of the old (its provider stays). */
export const UpdateCloudCredentialInput = z
  .object({
    name: Name,
    credential_type: z.string().trim().max(40),
    credentials_json: CredentialsJson,
  })
  .partial()
  .strict()
  .refine((v) => v.name !== undefined || v.credentials_json !== undefined, 'send name, credentials_json, or both')
  .refine((v) => v.credential_type === undefined || v.credentials_json !== undefined, { message: 'a new credential_type comes with its credentials_json', path: ['credential_type'] });
export type UpdateCloudCredentialInput = z.output<typeof UpdateCloudCredentialInput>;

const Validation = z.object({
  valid: z.boolean(),
  message: z.string().describe('what the provider answered, e.g. the identity, or why it refused'),
  identity: z.string().nullable().describe('who the credential is (AWS ARN, service account email, …) when valid'),
});

export const CloudCredentialResource = z
  .object({
    id: z.string(), name: z.string(), provider: Provider, credential_type: z.string(),
    fields: z.array(z.string()).describe('the names of the fields stored (values are never returned)'),
    fingerprint: z.string().describe('changes when the secrets change; the same secrets have the same fingerprint in this tenant'),
    last_validated_at: z.string().nullable(),
    last_validation: Validation.nullable(),
    created_by: z.string(), created_at: z.string(), updated_at: z.string(),
  })
  .describe('a cloud credential of your tenant; its secrets are stored encrypted and never returned')
  .meta({ id: 'CloudCredential' });

export const CloudCredentialValidation = Validation.extend({ credential: CloudCredentialResource }).meta({ id: 'CloudCredentialValidation' });
