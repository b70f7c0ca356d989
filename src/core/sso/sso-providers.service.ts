import type { Sequelize } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { translateConstraints } from '../db/unique.js';
import { ConflictError, NotFoundError, UnavailableError } from '../errors.js';
import { assertOutboundUrl, type OutboundPolicy } from '../outbound/outbound-guard.js';
import type { Encryptor } from '../secrets/encryption.js';
import type { GithubLogin } from './github-login.js';
import { assertIssuer, type OidcLogin } from './oidc-login.js';
import type { SamlLogin } from './saml-login.js';
import { githubSettings, mergePatch, oidcSettings, outboundUrls, samlSettings, valuesOf } from './sso-provider-config.js';
import { newProviderId, ssoSecretAad, type SsoProviderRepository, type SsoProviderRow, type SsoSecrets } from './sso-provider.repository.js';
import type { CreateSsoProviderInput, SsoType, UpdateSsoProviderInput } from './sso.schemas.js';

/** A provider as its tenant's admins see it: never a secret, only whether one is set. */
export type SsoProviderView = Omit<SsoProviderRow, 'secret'> & { hasClientSecret: boolean; hasSpPrivateKey: boolean };

export interface SsoTestReport {
  ok: boolean;
  providerType: SsoType;
  checkedUrl: string | null;
  found: Record<string, unknown>;
  problems: string[];
}

interface Deps {
  sequelize: Sequelize;
  repo: SsoProviderRepository;
  encryptor: Encryptor;
  audit: AuditLog;
  policy: OutboundPolicy;
  oidc: OidcLogin;
  github: GithubLogin;
  saml: SamlLogin;
}

/** The SSO providers of a tenant (tenant admins): configuration, sealed secrets, and a connectivity test. */
export class SsoProvidersService {
  constructor(private readonly deps: Deps) {}

  async list(actor: Actor): Promise<SsoProviderView[]> {
    requirePermission(actor, 'tenant:manage');
    return (await this.deps.repo.list(actor.tenantId)).map((r) => this.view(r));
  }

  async get(actor: Actor, id: string): Promise<SsoProviderView> {
    requirePermission(actor, 'tenant:manage');
    return this.view(await this.require(actor, id));
  }

  async create(actor: Actor, input: CreateSsoProviderInput): Promise<SsoProviderView> {
    requirePermission(actor, 'tenant:manage');
    const { values, secrets } = valuesOf(input);
    await this.assertReachable(values);
    const id = newProviderId();
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await translateConstraints('sso provider', () => this.deps.repo.create(actor.tenantId, actor.name, id, { ...values, secret: this.seal(id, secrets) }, transaction),
        () => new ConflictError(`an SSO provider named "${input.name}" exists in this tenant`, { code: 'sso.name_taken' }));
      await this.deps.audit.record(actor, 'sso_provider.create', { type: 'sso_provider', id }, { name: row.name, provider_type: row.providerType }, { transaction });
      return this.view(row);
    });
  }

  async update(actor: Actor, id: string, patch: UpdateSsoProviderInput): Promise<SsoProviderView> {
    requirePermission(actor, 'tenant:manage');
    const current = await this.require(actor, id);
    const merged = mergePatch(current, this.open(current), patch);
    const { values, secrets } = valuesOf(merged);
    await this.assertReachable(values);
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      if (!(await this.deps.repo.inTenant(actor.tenantId, id, transaction))) throw new NotFoundError(`SSO provider ${id} not found`);
      const row = await translateConstraints('sso provider', () => this.deps.repo.update(id, { ...values, secret: this.seal(id, secrets) }, transaction),
        () => new ConflictError(`an SSO provider named "${values.name}" exists in this tenant`, { code: 'sso.name_taken' }));
      const changed = Object.keys(patch).map((k) => (k === 'client_secret' || k === 'sp_private_key' ? `${k} (rotated)` : k));
      await this.deps.audit.record(actor, 'sso_provider.update', { type: 'sso_provider', id }, { changed }, { transaction });
      return this.view(row);
    });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'tenant:manage');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      if (!(await this.deps.repo.delete(actor.tenantId, id, transaction))) throw new NotFoundError(`SSO provider ${id} not found`);
      await this.deps.audit.record(actor, 'sso_provider.delete', { type: 'sso_provider', id }, {}, { transaction });
    });
  }

  /** Fetches the discovery document, the API root or the IdP metadata, and reports what it found. */
  async test(actor: Actor, id: string): Promise<SsoTestReport> {
    requirePermission(actor, 'tenant:manage');
    const row = await this.require(actor, id);
    const secrets = this.open(row);
    const report = (checkedUrl: string | null, found: Record<string, unknown>, problems: string[]): SsoTestReport =>
      ({ ok: problems.length === 0, providerType: row.providerType, checkedUrl, found, problems });
    try {
      if (row.providerType === 'github') {
        const s = githubSettings(row, secrets);
        const { status, found } = await this.deps.github.probe(s);
        return report(`${s.apiUrl.replace(/\/+$/, '')}/`, found, status >= 200 && status < 300 ? [] : [`github_api_url: answered HTTP ${status}`]);
      }
      if (row.providerType === 'saml') {
        const { url, found, problems } = await this.deps.saml.probe(samlSettings(row, secrets));
        return report(url, found, problems);
      }
      const m = await this.deps.oidc.discover(oidcSettings(row, secrets));
      const problems = m.code_challenge_methods_supported?.includes('S256') === false ? ['the issuer does not offer PKCE with S256'] : [];
      if (!m.userinfo_endpoint && !m.claims_supported?.includes('email')) problems.push('the issuer has no userinfo endpoint and does not list an email claim');
      return report(`${row.issuerUrl!.replace(/\/+$/, '')}/.well-known/openid-configuration`, {
        issuer: m.issuer, authorization_endpoint: m.authorization_endpoint ?? null, token_endpoint: m.token_endpoint ?? null, userinfo_endpoint: m.userinfo_endpoint ?? null,
        jwks_uri: m.jwks_uri ?? null, scopes_supported: m.scopes_supported ?? null, code_challenge_methods_supported: m.code_challenge_methods_supported ?? null,
      }, problems);
    } catch (err) {
      if (err instanceof UnavailableError) return report(row.issuerUrl, {}, [err.message]);
      throw err;
    }
  }

  private async require(actor: Actor, id: string): Promise<SsoProviderRow> {
    const row = await this.deps.repo.inTenant(actor.tenantId, id);
    if (!row) throw new NotFoundError(`SSO provider ${id} not found`);
    return row;
  }

  /** Every URL the server will call must pass the outbound guard now, so a bad one is refused when it is set. */
  private async assertReachable(values: Parameters<typeof outboundUrls>[0]): Promise<void> {
    for (const [what, url] of outboundUrls(values)) {
      if (what === 'issuer_url') await assertIssuer(url, this.deps.policy);
      else await assertOutboundUrl(url, this.deps.policy, what);
    }
  }

  private seal(id: string, secrets: SsoSecrets) {
    return Object.keys(secrets).length ? this.deps.encryptor.seal(JSON.stringify(secrets), ssoSecretAad(id)) : null;
  }

  private open(row: SsoProviderRow): SsoSecrets {
    return row.secret ? (JSON.parse(this.deps.encryptor.openString(row.secret, ssoSecretAad(row.id))) as SsoSecrets) : {};
  }

  /** A SAML provider's sealed secret is its SP key; every other type's is its client secret. */
  private view({ secret, ...row }: SsoProviderRow): SsoProviderView {
    return { ...row, hasClientSecret: !!secret && row.providerType !== 'saml', hasSpPrivateKey: !!secret && row.providerType === 'saml' };
  }
}
