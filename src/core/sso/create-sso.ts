import type { Sequelize } from 'sequelize';
import type { AuditLog } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import type { UserRepository } from '../auth/user.repository.js';
import type { UsersService } from '../auth/users.service.js';
import type { Clock } from '../clock.js';
import type { OutboundPolicy } from '../outbound/outbound-guard.js';
import type { Encryptor } from '../secrets/encryption.js';
import { GithubLogin } from './github-login.js';
import { OidcLogin } from './oidc-login.js';
import { SamlLogin } from './saml-login.js';
import { SsoLoginService } from './sso-login.service.js';
import { SsoLoginStateRepository } from './sso-login-state.repository.js';
import { SsoProviderRepository } from './sso-provider.repository.js';
import { SsoProvidersService } from './sso-providers.service.js';
import { SsoSecretRotation } from './sso-secret-rotation.js';

export interface Sso {
  providers: SsoProvidersService;
  login: SsoLoginService;
  rotation: SsoSecretRotation;
}

/** Assembles tenant SSO: one set of protocol clients shared by the admin service and the sign-in flows. */
export function createSso(deps: {
  sequelize: Sequelize; encryptor: Encryptor; audit: AuditLog; auth: AuthService; users: UserRepository; usersService: UsersService; clock: Clock; policy: OutboundPolicy;
}): Sso {
  const { sequelize, encryptor, audit, clock, policy } = deps;
  const repo = new SsoProviderRepository({ sequelize });
  const states = new SsoLoginStateRepository({ sequelize });
  const oidc = new OidcLogin({ policy, now: () => clock.now().getTime() });
  const github = new GithubLogin({ policy });
  const saml = new SamlLogin({ policy, states, now: () => clock.now() });
  return {
    providers: new SsoProvidersService({ sequelize, repo, encryptor, audit, policy, oidc, github, saml }),
    login: new SsoLoginService({ repo, states, encryptor, users: deps.users, usersService: deps.usersService, auth: deps.auth, audit, clock, oidc, github, saml }),
    rotation: new SsoSecretRotation({ sequelize, repo }),
  };
}
