import { createHash, randomBytes } from 'node:crypto';
import { isHuman, type Actor } from '../actor.js';
import { hashToken } from '../auth/api-token.js';
import type { AuthService } from '../auth/auth.service.js';
import type { TokensService } from '../auth/tokens.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { InputError, NotAllowedError, NotFoundError } from '../errors.js';
import type { OAuthCodeRepository } from './oauth-code.repository.js';

/** What `login.v1` advertises, and so what an authorization request must match. */
export const LOGIN_CLIENT_ID = 'terraform-cli';
export const LOGIN_PORTS: readonly [number, number] = [10000, 10010];
const CODE_TTL_MS = 5 * 60_000;

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  codeChallengeMethod: string;
  state: string;
}

export interface CodeExchange {
  code: string;
  redirectUri: string;
  codeVerifier: string;
  /** absent when the client authenticates with HTTP Basic and no client_id field */
  clientId?: string;
}

interface Deps {
  auth: AuthService;
  tokens: TokensService;
  codes: OAuthCodeRepository;
  audit: AuditLog;
  clock: Clock;
}

/**
 * `terraform login` (login.v1, OAuth 2 authorization code with PKCE): the CLI opens
 * /oauth/authorize in a browser with a localhost callback; the person signs in (or already has
 * a session); the CLI exchanges the code and its verifier at /oauth/token for an Atlantas API
 * token of that person. Codes live five minutes and work once; the callback must be terraform's
 * own (http://localhost:<port>/login within the advertised ports), so a code cannot be sent elsewhere.
 */
export class TfeLoginService {
  constructor(private readonly deps: Deps) {}

  /** Refuses a request that is not terraform's; the message says what is wrong. */
  validate(req: AuthorizationRequest): void {
    if (req.clientId !== LOGIN_CLIENT_ID) throw invalid(`client_id must be "${LOGIN_CLIENT_ID}"`);
    if (!isLoopbackCallback(req.redirectUri)) {
      throw invalid(`redirect_uri must be terraform's callback http://localhost:<port>/login with a port from ${LOGIN_PORTS[0]} to ${LOGIN_PORTS[1]}`);
    }
    if (req.codeChallengeMethod !== 'S256') throw invalid('code_challenge_method must be S256');
    if (!/^[A-Za-z0-9_-]{43}$/.test(req.codeChallenge)) throw invalid('code_challenge must be the base64url SHA-256 of the verifier (43 characters)');
    if (!req.state || req.state.length > 500) throw invalid('state is required');
  }

  /** The person signs in with email and password on the login page; returns where to send the browser. */
  async authorizeWithPassword(req: AuthorizationRequest, email: string, password: string, clientAddress: string): Promise<string> {
    this.validate(req);
    return this.issue(req, await this.deps.auth.passwordActor(email, password, clientAddress, 'tfe'));
  }

  /** A person who already holds a session (or their API token) skips the form. */
  async authorizeAs(actor: Actor, req: AuthorizationRequest): Promise<string> {
    this.validate(req);
    return this.issue(req, actor);
  }

  /** The code and its PKCE verifier → a new API token (raw, shown this once) of the code's person. */
  async exchange(x: CodeExchange): Promise<{ token: string; actor: Actor }> {
    const code = await this.deps.codes.consume(hashToken(x.code), this.deps.clock.now());
    if (!code) throw grant('the authorization code is unknown, used already or expired; run terraform login again');
    if (x.clientId !== undefined && x.clientId !== code.clientId) throw grant('client_id does not match the authorization request');
    if (x.redirectUri !== code.redirectUri) throw grant('redirect_uri does not match the authorization request');
    const challenge = createHash('sha256').update(x.codeVerifier).digest('base64url');
    if (challenge !== code.codeChallenge) throw grant('code_verifier does not match the code_challenge');
    const actor = await this.deps.auth.userActor(code.userId, 'tfe');
    const stamp = this.deps.clock.now().toISOString().slice(0, 16).replace('T', ' ');
    const token = await this.deps.tokens.create(actor, { name: `terraform login ${stamp}` });
    await this.deps.audit.record(actor, 'tfe.login', { type: 'api_token', id: token.id }, { client_id: code.clientId });
    return { token: token.rawToken, actor };
  }

  /** `POST /api/v2/users/{id}/authentication-tokens`: a token of the caller, who must be that user. */
  async createUserToken(actor: Actor, userId: string, input: { description?: string; expiresAt?: Date | null }): Promise<{ id: string; token: string; description: string; createdAt: Date; expiresAt: Date | null }> {
    if (!actor.userId || actor.userId !== userId) throw new NotFoundError(`user ${userId} not found`, { code: 'user_not_found' });
    let days: number | undefined;
    if (input.expiresAt) {
      const ms = input.expiresAt.getTime() - this.deps.clock.now().getTime();
      if (ms <= 0) throw new InputError('data.attributes.expired-at: must be in the future', { code: 'validation_error' });
      days = Math.ceil(ms / 86_400_000);
    }
    const description = input.description || 'TFE API token';
    const token = await this.deps.tokens.create(actor, { name: description, ...(days ? { expires_in_days: days } : {}) });
    return { id: token.id, token: token.rawToken, description, createdAt: token.createdAt, expiresAt: token.expiresAt };
  }

  private async issue(req: AuthorizationRequest, actor: Actor): Promise<string> {
    if (!isHuman(actor) || !actor.userId) {
      throw new NotAllowedError('terraform login is for a person: sign in with your email and password, not with automation or a run credential', { code: 'forbidden' });
    }
    const code = randomBytes(32).toString('base64url');
    await this.deps.codes.insert(
      hashToken(code),
      { tenantId: actor.tenantId, userId: actor.userId, clientId: req.clientId, redirectUri: req.redirectUri, codeChallenge: req.codeChallenge },
      new Date(this.deps.clock.now().getTime() + CODE_TTL_MS),
    );
    const target = new URL(req.redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('state', req.state);
    return target.toString();
  }
}

function isLoopbackCallback(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  const port = Number(url.port);
  return url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1') && url.pathname === '/login'
    && !url.search && !url.hash && port >= LOGIN_PORTS[0] && port <= LOGIN_PORTS[1];
}

const invalid = (m: string) => new InputError(`invalid login request: ${m}`, { code: 'invalid_request' });
const grant = (m: string) => new InputError(m, { code: 'invalid_grant' });
