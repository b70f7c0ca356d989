import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { Role } from '../actor.js';
import { InputError } from '../errors.js';
import { GITHUB_API_URL, GITHUB_URL, type GithubSettings } from './github-login.js';
import { GOOGLE_ISSUER, type OidcSettings } from './oidc-login.js';
import type { SamlSettings } from './saml-login.js';
import type { SsoProviderRow, SsoProviderValues, SsoSecrets } from './sso-provider.repository.js';
import { CreateSsoProviderInput, type UpdateSsoProviderInput } from './sso.schemas.js';

/**
 * Between the API's flat input and the stored row (columns + `settings` + sealed secrets), and
 * from a row to what each protocol needs. Pure: no I/O.
 */
export function valuesOf(input: CreateSsoProviderInput): { values: Omit<SsoProviderValues, 'secret'>; secrets: SsoSecrets } {
  const common = {
    name: input.name, providerType: input.provider_type, enabled: input.enabled, defaultRole: input.default_role as Role,
    groupRoleMapping: input.group_role_mapping as Record<string, Role>, allowedDomains: [...new Set(input.allowed_domains)],
  };
  switch (input.provider_type) {
    case 'oidc':
      return { values: { ...common, clientId: input.client_id, issuerUrl: input.issuer_url, settings: clean({ groups_claim: input.groups_claim, scopes: input.scopes }) }, secrets: { client_secret: input.client_secret } };
    case 'google':
      return { values: { ...common, clientId: input.client_id, issuerUrl: input.issuer_url ?? GOOGLE_ISSUER, settings: { groups_claim: input.groups_claim } }, secrets: { client_secret: input.client_secret } };
    case 'github':
      return {
        values: { ...common, clientId: input.client_id, issuerUrl: null, settings: { groups_claim: input.groups_claim, github_url: input.github_url ?? GITHUB_URL, github_api_url: input.github_api_url ?? GITHUB_API_URL } },
        secrets: { client_secret: input.client_secret },
      };
    case 'saml':
      checkPem(input.idp_certificate, input.sp_private_key, input.sp_certificate);
      return {
        values: {
          ...common, clientId: null, issuerUrl: null,
          settings: clean({
            groups_claim: input.groups_claim, entry_point: input.entry_point, idp_entity_id: input.idp_entity_id, idp_certificate: input.idp_certificate,
            metadata_url: input.metadata_url, sp_certificate: input.sp_certificate, email_attribute: input.email_attribute,
          }),
        },
        secrets: clean({ sp_private_key: input.sp_private_key }),
      };
  }
}

/** PATCH: the stored provider as input, with the patch over it, validated as a whole by the create schema. */
export function mergePatch(row: SsoProviderRow, secrets: SsoSecrets, patch: UpdateSsoProviderInput): CreateSsoProviderInput {
  const current = {
    name: row.name, provider_type: row.providerType, enabled: row.enabled, default_role: row.defaultRole, group_role_mapping: row.groupRoleMapping,
    allowed_domains: row.allowedDomains, ...(row.clientId ? { client_id: row.clientId } : {}), ...(row.issuerUrl ? { issuer_url: row.issuerUrl } : {}),
    ...row.settings, ...secrets,
  };
  const parsed = CreateSsoProviderInput.safeParse({ ...current, ...patch });
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  throw new InputError(`this change does not fit a ${row.providerType} provider: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { code: 'validation_error', issues });
}

export function oidcSettings(row: SsoProviderRow, secrets: SsoSecrets): OidcSettings {
  return {
    key: `${row.id}:${row.updatedAt.getTime()}`, issuerUrl: row.issuerUrl!, clientId: row.clientId!, clientSecret: secrets.client_secret ?? '',
    scopes: row.settings.scopes as string[] | undefined, groupsClaim: groupsClaim(row),
  };
}

export function githubSettings(row: SsoProviderRow, secrets: SsoSecrets): GithubSettings {
  return { clientId: row.clientId!, clientSecret: secrets.client_secret ?? '', githubUrl: String(row.settings.github_url ?? GITHUB_URL), apiUrl: String(row.settings.github_api_url ?? GITHUB_API_URL) };
}

export function samlSettings(row: SsoProviderRow, secrets: SsoSecrets): SamlSettings {
  const s = row.settings as Record<string, string | undefined>;
  return {
    providerId: row.id, entryPoint: s.entry_point!, idpEntityId: s.idp_entity_id, idpCertificate: s.idp_certificate!, spPrivateKey: secrets.sp_private_key,
    spCertificate: s.sp_certificate, emailAttribute: s.email_attribute, groupsClaim: groupsClaim(row), metadataUrl: s.metadata_url,
  };
}

/** The URLs a tenant chose for the provider, which the server will call (the outbound guard checks each), by setting. */
export function outboundUrls(row: Pick<SsoProviderValues, 'providerType' | 'issuerUrl' | 'settings'>): [string, string][] {
  const s = row.settings as Record<string, string | undefined>;
  const urls: [string, string | null | undefined][] = [['issuer_url', row.issuerUrl], ['github_url', s.github_url], ['github_api_url', s.github_api_url], ['metadata_url', s.metadata_url]];
  // The built-in public endpoints are ours, not the tenant's choice: checked when called, not when saved.
  const builtIn = new Set([GITHUB_URL, GITHUB_API_URL, GOOGLE_ISSUER]);
  return urls.filter((u): u is [string, string] => !!u[1] && !builtIn.has(u[1]));
}

const groupsClaim = (row: SsoProviderRow) => String(row.settings.groups_claim ?? 'groups');

function clean<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function checkPem(idpCertificate: string, spPrivateKey?: string, spCertificate?: string): void {
  const attempt = (field: string, what: string, fn: () => unknown) => {
    try {
      fn();
    } catch {
      throw new InputError(`${field}: not a readable ${what}`, { code: 'validation_error', issues: [{ path: field, message: `not a readable ${what}` }] });
    }
  };
  attempt('idp_certificate', 'X.509 certificate (PEM)', () => new X509Certificate(idpCertificate));
  if (spPrivateKey) attempt('sp_private_key', 'private key (PEM, unencrypted)', () => createPrivateKey(spPrivateKey));
  if (spCertificate) attempt('sp_certificate', 'X.509 certificate (PEM)', () => new X509Certificate(spCertificate));
}
