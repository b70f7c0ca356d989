import type { Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import { generatePassword } from '../auth/password.js';
import type { User } from '../auth/user.model.js';
import type { UserRepository } from '../auth/user.repository.js';
import type { UsersService } from '../auth/users.service.js';
import type { Clock } from '../clock.js';
import { AuthenticationError, ConflictError, InputError, NotAllowedError, NotFoundError } from '../errors.js';
import type { Encryptor } from '../secrets/encryption.js';
import type { GithubLogin } from './github-login.js';
import type { OidcLogin } from './oidc-login.js';
import type { SamlLogin, SpEndpoints } from './saml-login.js';
import { domainAllowed, roleForGroups, type SsoIdentity } from './sso-identity.js';
import type { SsoLoginStateRepository } from './sso-login-state.repository.js';
import { githubSettings, oidcSettings, samlSettings } from './sso-provider-config.js';
import { ssoSecretAad, type SsoProviderRepository, type SsoProviderRow, type SsoSecrets } from './sso-provider.repository.js';

const STATE_TTL_MS = 10 * 60_000;

/** The URLs of one provider's login routes under `base` (ATLANTAS_URL, or where the request came in). */
export function ssoEndpoints(base: string, providerId: string) {
  const root = `${base.replace(/\/+$/, '')}/api/v1/auth/sso/${providerId}`;
  return { loginUrl: `${root}/start`, callbackUrl: `${root}/callback`, acsUrl: `${root}/acs`, metadataUrl: `${root}/metadata` };
}

const spOf = (base: string, id: string): SpEndpoints => {
  const e = ssoEndpoints(base, id);
  return { entityId: e.metadataUrl, acsUrl: e.acsUrl };
};

interface Deps {
  repo: SsoProviderRepository;
  states: SsoLoginStateRepository;
  encryptor: Encryptor;
  users: UserRepository;
  usersService: UsersService;
  auth: AuthService;
  audit: AuditLog;
  clock: Clock;
  oidc: OidcLogin;
  github: GithubLogin;
  saml: SamlLogin;
}

/**
 * Signing in through a tenant's identity provider: start (where to send the browser), the
 * callback or ACS (what came back, checked), then the same session as a password login. The
 * first sign-in creates the user in the provider's tenant, at the role its groups map to or the
 * provider's default; an address outside allowed_domains, unverified, or of another tenant's
 * user is refused.
 */
export class SsoLoginService {
  constructor(private readonly deps: Deps) {}

  /** Where to send the browser to sign in. */
  async start(providerId: string, base: string): Promise<string> {
    const { row, secrets } = await this.provider(providerId);
    const { callbackUrl } = ssoEndpoints(base, row.id);
    const expiresAt = new Date(this.deps.clock.now().getTime() + STATE_TTL_MS);
    if (row.providerType === 'saml') return this.deps.saml.start(samlSettings(row, secrets), spOf(base, row.id));
    const started = row.providerType === 'github'
      ? { ...(await this.deps.github.start(githubSettings(row, secrets), callbackUrl)), nonce: null }
      : await this.deps.oidc.start(oidcSettings(row, secrets), callbackUrl);
    await this.deps.states.save(started.state, { providerId: row.id, codeVerifier: started.codeVerifier, nonce: started.nonce, redirectUri: callbackUrl, expiresAt });
    return started.url;
  }

  /** The OAuth/OIDC redirect back: `query` is the callback's query string. */
  async callback(providerId: string, query: URLSearchParams): Promise<{ accessToken: string; expiresIn: number; user: User }> {
    const { row, secrets } = await this.provider(providerId);
    if (row.providerType === 'saml') throw new InputError('a SAML provider answers at its ACS URL (POST …/acs), not here', { code: 'sso.wrong_endpoint' });
    const state = query.get('state');
    if (!state) throw new AuthenticationError('the callback has no state: start the login again', { code: 'sso.invalid_state' });
    // The state is used up first, whatever follows: a replayed or forged callback finds nothing.
    const saved = await this.deps.states.consume(row.id, state, this.deps.clock.now());
    if (!saved?.codeVerifier || !saved.redirectUri) throw new AuthenticationError('this login is unknown, already used or expired: start the login again', { code: 'sso.invalid_state' });
    const idpError = query.get('error');
    if (idpError) throw new AuthenticationError(`the identity provider refused the login: ${idpError}${query.get('error_description') ? ` (${query.get('error_description')})` : ''}`, { code: 'sso.idp_refused' });
    let identity: SsoIdentity;
    if (row.providerType === 'github') {
      const code = query.get('code');
      if (!code) throw new AuthenticationError('the callback has no code', { code: 'sso.invalid_response' });
      identity = await this.deps.github.finish(githubSettings(row, secrets), code, { codeVerifier: saved.codeVerifier, redirectUri: saved.redirectUri });
    } else {
      const url = new URL(saved.redirectUri);
      url.search = query.toString();
      identity = await this.deps.oidc.finish(oidcSettings(row, secrets), url, { state, codeVerifier: saved.codeVerifier, nonce: saved.nonce ?? '', redirectUri: saved.redirectUri });
    }
    return this.signIn(row, identity);
  }

  /** The SAML response the IdP POSTed to our ACS. */
  async acs(providerId: string, base: string, samlResponse: string | undefined): Promise<{ accessToken: string; expiresIn: number; user: User }> {
    const { row, secrets } = await this.provider(providerId);
    if (row.providerType !== 'saml') throw new InputError(`a ${row.providerType} provider answers at its callback URL, not the SAML ACS`, { code: 'sso.wrong_endpoint' });
    if (!samlResponse) throw new InputError('SAMLResponse: is required (a form field of the IdP\'s POST)', { code: 'validation_error' });
    return this.signIn(row, await this.deps.saml.finish(samlSettings(row, secrets), spOf(base, row.id), samlResponse));
  }

  /** The SP metadata (XML) to give the IdP. */
  async metadata(providerId: string, base: string): Promise<string> {
    const { row, secrets } = await this.provider(providerId, { evenDisabled: true });
    if (row.providerType !== 'saml') throw new NotFoundError(`SSO provider ${providerId} is not a SAML provider`);
    return this.deps.saml.metadata(samlSettings(row, secrets), spOf(base, row.id));
  }

  private async signIn(row: SsoProviderRow, identity: SsoIdentity): Promise<{ accessToken: string; expiresIn: number; user: User }> {
    if (!identity.emailVerified) throw new AuthenticationError(`the identity provider has not verified ${identity.email}`, { code: 'sso.email_unverified' });
    if (!domainAllowed(identity.email, row.allowedDomains)) {
      throw new NotAllowedError(`${identity.email} may not sign in here: this provider allows ${row.allowedDomains.join(', ')} addresses only`, { code: 'sso.domain_not_allowed' });
    }
    const user = (await this.existingUser(row, identity.email)) ?? (await this.createUser(row, identity));
    const session = await this.deps.auth.startSession(user);
    await this.deps.audit.record(actorOf(user), 'session.sso_login', { type: 'sso_provider', id: row.id }, { provider: row.name, groups: identity.groups.slice(0, 50) });
    return { ...session, user };
  }

  private async existingUser(row: SsoProviderRow, email: string): Promise<User | null> {
    const user = await this.deps.users.findByEmail(email);
    if (!user) return null;
    // Emails are unique across tenants: a provider vouches for its own tenant's people only.
    if (user.tenantId !== row.tenantId) throw new NotAllowedError(`${email} cannot sign in through this provider: the address belongs to an account elsewhere`, { code: 'sso.user_conflict' });
    if (!user.isActive) throw new AuthenticationError('account is deactivated', { code: 'account_deactivated' });
    return user;
  }

  /** Just-in-time: the user at the role their groups map to (or the default); a concurrent first login finds the other's row. */
  private async createUser(row: SsoProviderRow, identity: SsoIdentity): Promise<User> {
    const role = roleForGroups(identity.groups, row.groupRoleMapping, row.defaultRole);
    try {
      // No password: the random one is never shown, so this user signs in through SSO only.
      const created = await this.deps.usersService.createUser(row.tenantId, { email: identity.email, password: generatePassword(), name: identity.name, role });
      await this.deps.audit.record(actorOf({ ...created, passwordHash: '' }), 'user.sso_create', { type: 'user', id: created.id }, { email: created.email, role, provider: row.name });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    const user = await this.existingUser(row, identity.email);
    if (!user) throw new ConflictError('the user could not be created; try again', { code: 'sso.user_create_failed' });
    return user;
  }

  private async provider(id: string, options: { evenDisabled?: boolean } = {}): Promise<{ row: SsoProviderRow; secrets: SsoSecrets }> {
    const row = await this.deps.repo.byId(id);
    if (!row) throw new NotFoundError(`SSO provider ${id} not found`);
    if (!row.enabled && !options.evenDisabled) throw new NotAllowedError(`SSO provider "${row.name}" is disabled`, { code: 'sso.disabled' });
    const secrets = row.secret ? (JSON.parse(this.deps.encryptor.openString(row.secret, ssoSecretAad(row.id))) as SsoSecrets) : {};
    return { row, secrets };
  }
}

function actorOf(user: User): Actor {
  return { kind: 'user', tenantId: user.tenantId, userId: user.id, role: user.role, name: user.email, via: 'api', isPlatformAdmin: user.isPlatformAdmin };
}
