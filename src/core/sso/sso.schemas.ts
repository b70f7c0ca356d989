import { z } from 'zod';
import { ROLES } from '../actor.js';
import { RoleInput } from '../auth/auth.schemas.js';

/**
 * SSO providers of a tenant (POST/PATCH /api/v1/sso-providers). One schema per provider_type;
 * secrets (client_secret, sp_private_key) are accepted here and sealed by the service, never
 * rendered back: the resource only says whether one is set.
 */
export const SSO_TYPES = ['oidc', 'google', 'github', 'saml'] as const;
export type SsoType = (typeof SSO_TYPES)[number];

const Url = z.string().trim().url('must be an absolute URL such as https://idp.example.com').max(2000);
const Domain = z.string().trim().toLowerCase().regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'must be a domain name such as example.com');
const Pem = (label: string) => z.string().trim().max(20_000).regex(/-----BEGIN [A-Z ]+-----[\s\S]+-----END [A-Z ]+-----/, `must be a PEM ${label} (-----BEGIN …-----)`);
const Secret = z.string().min(1, 'is required').max(4000);

const common = {
  name: z.string().trim().min(1, 'is required').max(200),
  enabled: z.boolean().default(true),
  /** the role of a user created at first login when no group maps to one */
  default_role: RoleInput.default('viewer'),
  /** IdP group name → role; the highest role among the user's groups wins */
  group_role_mapping: z.record(z.string().min(1).max(200), RoleInput).refine((m) => Object.keys(m).length <= 200, 'at most 200 groups').default({}),
  /** the claim (OIDC) or attribute (SAML) that lists the user's groups */
  groups_claim: z.string().trim().min(1).max(200).default('groups'),
  /** email domains that may sign in; empty: any */
  allowed_domains: z.array(Domain).max(100).default([]),
};

const Oidc = z.strictObject({
  ...common,
  provider_type: z.literal('oidc'),
  issuer_url: Url,
  client_id: z.string().trim().min(1, 'is required').max(500),
  client_secret: Secret,
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be a scope name')).min(1).max(30).optional(),
});
const Google = z.strictObject({
  ...common,
  provider_type: z.literal('google'),
  /** Google's issuer unless set (a Google-compatible issuer, e.g. in tests) */
  issuer_url: Url.optional(),
  client_id: z.string().trim().min(1, 'is required').max(500),
  client_secret: Secret,
});
const Github = z.strictObject({
  ...common,
  provider_type: z.literal('github'),
  client_id: z.string().trim().min(1, 'is required').max(500),
  client_secret: Secret,
  /** where the OAuth endpoints are (GitHub Enterprise): https://github.com unless set */
  github_url: Url.optional(),
  /** the REST API (GitHub Enterprise: https://host/api/v3): https://api.github.com unless set */
  github_api_url: Url.optional(),
});
const Saml = z.strictObject({
  ...common,
  provider_type: z.literal('saml'),
  /** the IdP's single sign-on URL (HTTP-Redirect binding) */
  entry_point: Url,
  /** the IdP's entity id; when set, a response from another issuer is refused */
  idp_entity_id: z.string().trim().min(1).max(2000).optional(),
  /** the certificate the IdP signs assertions with */
  idp_certificate: Pem('certificate'),
  /** where the IdP publishes its metadata (for POST /{id}/test) */
  metadata_url: Url.optional(),
  /** the SP's own key and certificate, to sign AuthnRequests (the key is sealed, never shown) */
  sp_private_key: Pem('private key').optional(),
  sp_certificate: Pem('certificate').optional(),
  /** the attribute holding the email; else mail/email attributes, else an email-format NameID */
  email_attribute: z.string().trim().min(1).max(200).optional(),
});

export const CreateSsoProviderInput = z.discriminatedUnion('provider_type', [Oidc, Google, Github, Saml], {
  error: (issue) => (issue.code === 'invalid_union' ? `provider_type: must be one of ${SSO_TYPES.join(', ')}` : undefined),
});
export type CreateSsoProviderInput = z.infer<typeof CreateSsoProviderInput>;

/** PATCH: any field of the provider's type except provider_type; an absent secret is kept. */
export const UpdateSsoProviderInput = z.strictObject({
  name: common.name, enabled: z.boolean(), default_role: RoleInput, group_role_mapping: z.record(z.string().min(1).max(200), RoleInput),
  groups_claim: common.groups_claim, allowed_domains: z.array(Domain).max(100),
  issuer_url: Url, client_id: z.string().trim().min(1).max(500), client_secret: Secret, scopes: z.array(z.string()).min(1).max(30),
  github_url: Url, github_api_url: Url,
  entry_point: Url, idp_entity_id: z.string().trim().min(1).max(2000), idp_certificate: Pem('certificate'), metadata_url: Url,
  sp_private_key: Pem('private key'), sp_certificate: Pem('certificate'), email_attribute: z.string().trim().min(1).max(200),
}).partial();
export type UpdateSsoProviderInput = z.infer<typeof UpdateSsoProviderInput>;

export const SsoProviderResource = z.object({
  id: z.string(), name: z.string(), provider_type: z.enum(SSO_TYPES), enabled: z.boolean(),
  client_id: z.string().nullable(), issuer_url: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()).describe('the type\'s other settings (scopes, github_url, entry_point, idp_certificate …); never a secret'),
  default_role: z.enum(ROLES as [string, ...string[]]), group_role_mapping: z.record(z.string(), z.string()), groups_claim: z.string(), allowed_domains: z.array(z.string()),
  has_client_secret: z.boolean(), has_sp_private_key: z.boolean(),
  login_url: z.string().describe('GET it in a browser to sign in through this provider'),
  redirect_uri: z.string().describe('register this at the IdP: the OAuth callback, or the SAML ACS URL'),
  sp_metadata_url: z.string().nullable().describe('SAML: the SP metadata to give the IdP'),
  created_by: z.string(), created_at: z.string(), updated_at: z.string(),
}).meta({ id: 'SsoProvider' });

export const SsoTestResult = z.object({
  ok: z.boolean(), provider_type: z.enum(SSO_TYPES), checked_url: z.string().nullable(),
  found: z.record(z.string(), z.unknown()).describe('what the discovery document, API or metadata said'),
  problems: z.array(z.string()).describe('what is wrong or missing, empty when ok'),
}).meta({ id: 'SsoTestResult' });
