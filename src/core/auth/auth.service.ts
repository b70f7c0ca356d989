import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Actor, Via } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { AuthenticationError, InputError, NotAllowedError, NotFoundError, RateLimitedError } from '../errors.js';
import type { ApiTokenRepository } from './api-token.repository.js';
import { hashToken, looksLikeApiToken } from './api-token.js';
import type { JwtCodec } from './jwt.js';
import { countAttempt, LOGIN_BACKOFF, secondsBlocked } from './login-backoff.js';
import type { LoginFailureRepository } from './login-failure.repository.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RunCredentials, RunForCredential, RunPhase } from './run-credentials.js';
import type { SessionRepository } from './session.repository.js';
import { effectiveRole, isAgentToken } from './token-scopes.js';
import type { User } from './user.model.js';
import type { UserRepository } from './user.repository.js';

export interface AuthDeps {
  sequelize: Sequelize;
  users: UserRepository;
  tokens: ApiTokenRepository;
  sessions: SessionRepository;
  loginFailures: LoginFailureRepository;
  runCredentials: RunCredentials;
  jwt: JwtCodec;
  jwtTtlMs: number;
  refreshTtlMs: number;
  requestLimiter: RateLimiter;
  /** per client address */
  loginLimiter: RateLimiter;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
}

/** Turns credentials into an Actor, and manages the login sessions. Every surface authenticates through here. */
export class AuthService {
  constructor(private readonly deps: AuthDeps) {}

  /**
   * Email + password → a session. Two limits: per client address (a token bucket), and per
   * account (login-backoff.ts, in the database so that replicas and restarts share it).
   */
  async login(email: string, password: string, clientAddress: string): Promise<{ accessToken: string; expiresIn: number }> {
    return this.startSession(await this.passwordUser(email, password, clientAddress));
  }

  /**
   * A login session for a user already proven (a password above, or an identity provider's
   * answer in core/sso): the same JWT and session row whichever way they signed in.
   */
  async startSession(user: Pick<User, 'id' | 'tenantId'>): Promise<{ accessToken: string; expiresIn: number }> {
    const expiresAt = new Date(this.deps.clock.now().getTime() + this.deps.jwtTtlMs);
    const sid = await this.deps.sessions.create({ tenantId: user.tenantId, userId: user.id, expiresAt });
    return { accessToken: this.deps.jwt.sign({ sub: user.id, tid: user.tenantId, sid }, this.deps.jwtTtlMs), expiresIn: Math.floor(this.deps.jwtTtlMs / 1000) };
  }

  /**
   * Email + password → an access token and a refresh token over one session (AtlasAI's
   * POST /api/auth/token). The session lasts as long as the refresh token; the access token
   * expires after ATLANTAS_JWT_TTL like any login.
   */
  async issueTokenPair(email: string, password: string, clientAddress: string): Promise<TokenPair> {
    const user = await this.passwordUser(email, password, clientAddress);
    return this.newPair(user);
  }

  /**
   * A refresh token → a new pair. Each refresh token works once: the session it belonged to is
   * ended (so is the access token issued with it), and a second use is refused.
   */
  async refreshTokenPair(refreshToken: string, clientAddress: string): Promise<TokenPair> {
    this.deps.loginLimiter.take(`login:${clientAddress}`, 'login attempts from this address');
    const claims = this.deps.jwt.verify(refreshToken);
    if (claims.typ !== 'refresh' || !claims.sid) throw new AuthenticationError('this is not a refresh token', { code: 'invalid_token' });
    const session = await this.deps.sessions.find(claims.sid);
    if (!session || session.userId !== claims.sub) throw new AuthenticationError('invalid token', { code: 'invalid_token' });
    if (session.revokedAt) throw new AuthenticationError('this refresh token was already used, or its session ended; log in again', { code: 'session_revoked' });
    const user = await this.activeUser(claims.sub);
    if (user.tenantId !== claims.tid) throw new AuthenticationError('invalid token', { code: 'invalid_token' });
    if (!(await this.deps.sessions.revoke(session.id, this.deps.clock.now()))) {
      throw new AuthenticationError('this refresh token was already used; log in again', { code: 'session_revoked' });
    }
    return this.newPair(user);
  }

  private async newPair(user: User): Promise<TokenPair> {
    const expiresAt = new Date(this.deps.clock.now().getTime() + Math.max(this.deps.refreshTtlMs, this.deps.jwtTtlMs));
    const sid = await this.deps.sessions.create({ tenantId: user.tenantId, userId: user.id, expiresAt });
    const claims = { sub: user.id, tid: user.tenantId, sid };
    return {
      accessToken: this.deps.jwt.sign(claims, this.deps.jwtTtlMs),
      refreshToken: this.deps.jwt.sign({ ...claims, typ: 'refresh' }, this.deps.refreshTtlMs),
      expiresIn: Math.floor(this.deps.jwtTtlMs / 1000),
      user,
    };
  }

  /** Ends the session the actor came with; an API token is revoked through the tokens API instead. */
  async logout(actor: Actor): Promise<void> {
    if (!actor.sessionId) {
      throw new InputError('logout ends a login session, and this request carries an API token; revoke a token with DELETE /api/v1/users/tokens/{id}', { code: 'not_a_session' });
    }
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.deps.sessions.revoke(actor.sessionId!, this.deps.clock.now(), transaction);
      await this.deps.audit.record(actor, 'session.logout', { type: 'session', id: actor.sessionId! }, {}, { transaction });
    });
  }

  /** Changes the caller's own password (the current one is required) and ends all their sessions. */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    const me = await this.me(actor);
    if (!(await this.checkPassword(me.email, currentPassword))) {
      throw new AuthenticationError('the current password is wrong', { code: 'invalid_credentials' });
    }
    if (currentPassword === newPassword) throw new InputError('new_password: must differ from the current password', { code: 'invalid_input' });
    const passwordHash = await hashPassword(newPassword);
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.deps.users.update(me.id, { passwordHash }, transaction);
      const ended = await this.deps.sessions.revokeAllOfUser(me.id, this.deps.clock.now(), transaction);
      await this.deps.audit.record(actor, 'user.password', { type: 'user', id: me.id }, { sessions_revoked: ended }, { transaction });
    });
  }

  /** A credential for one phase of one run's terraform: see run-credentials.ts. */
  issueRunToken(run: RunForCredential, phase: RunPhase, ttlMs: number): string {
    return this.deps.runCredentials.issue(run, phase, ttlMs);
  }

  /** A bearer credential: an API token (`atl_…`), a JWT from login, or a run's state credential. */
  async authenticate(credential: string, via: Via): Promise<Actor> {
    if (!credential) throw new AuthenticationError('missing credentials: send Authorization: Bearer <token>', { code: 'unauthenticated' });
    const actor = looksLikeApiToken(credential) ? await this.fromApiToken(credential, via) : await this.fromJwt(credential, via);
    if (!actor.runId) this.deps.requestLimiter.take(actor.tokenId ? `token:${actor.tokenId}` : `user:${actor.userId}`);
    return actor;
  }

  /**
   * The caller of the MCP server: only an agent token (scope mcp:read or mcp:write) is accepted,
   * so an assistant never holds a person's full credential and is always treated as automation.
   */
  async authenticateAgent(credential: string): Promise<Actor> {
    const actor = await this.authenticate(credential, 'mcp');
    if (actor.kind !== 'token' || !actor.automation) {
      throw new NotAllowedError('this credential has no MCP scope: create an API token with scopes ["mcp:read"] or ["mcp:write"] for the assistant', { code: 'insufficient_scope' });
    }
    return actor;
  }

  /**
   * Email + password → the person, as an actor without a session: for a login form that hands out
   * something else (terraform login's authorization code). Same limits as `login`.
   */
  async passwordActor(email: string, password: string, clientAddress: string, via: Via): Promise<Actor> {
    return userActor(await this.passwordUser(email, password, clientAddress), via);
  }

  /** An active user as an actor (the owner of an authorization code being exchanged). */
  async userActor(userId: string, via: Via): Promise<Actor> {
    return userActor(await this.activeUser(userId), via);
  }

  async me(actor: Actor): Promise<User> {
    if (!actor.userId) throw new NotFoundError('this actor has no user profile');
    return this.activeUser(actor.userId);
  }

  private async passwordUser(email: string, password: string, clientAddress: string): Promise<User> {
    this.deps.loginLimiter.take(`login:${clientAddress}`, 'login attempts from this address');
    const user = await this.checkPassword(email, password);
    if (!user) throw new AuthenticationError('invalid email or password', { code: 'invalid_credentials' });
    return user;
  }

  /**
   * The user when `password` is theirs, else null, after counting the attempt against the
   * account's backoff (a blocked account is refused before any password is checked).
   */
  private async checkPassword(email: string, password: string): Promise<User | null> {
    const account = email.trim().toLowerCase();
    const wait = await this.deps.loginFailures.update(account, (current) => {
      const now = this.deps.clock.now();
      const blocked = secondsBlocked(current, now);
      return blocked ? { next: null, result: blocked } : { next: countAttempt(current, now), result: 0 };
    });
    if (wait) throw new RateLimitedError(`too many failed logins for this account; retry in ${wait}s`, wait);
    const user = await this.deps.users.findByEmail(account);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !ok || !user.isActive) return null;
    await this.deps.loginFailures.clear(account, this.deps.clock.now(), LOGIN_BACKOFF.forgetAfterMs);
    return user;
  }

  private async fromApiToken(raw: string, via: Via): Promise<Actor> {
    const token = await this.deps.tokens.findByHash(hashToken(raw));
    const now = this.deps.clock.now();
    if (!token || token.revokedAt) throw new AuthenticationError('invalid or revoked API token', { code: 'invalid_token' });
    if (token.expiresAt && token.expiresAt <= now) throw new AuthenticationError('API token has expired', { code: 'token_expired' });
    const user = await this.activeUser(token.userId);
    // Recording last use is best effort and must not slow or fail the request.
    void this.deps.tokens.touch(token.id, now).catch((err) => this.deps.log.warn({ err }, 'could not record token use'));
    const role = effectiveRole(token.scopes, user.role);
    return {
      kind: 'token', tenantId: user.tenantId, userId: user.id, tokenId: token.id, role,
      name: `${user.email} (token ${token.name})`, via, isPlatformAdmin: user.isPlatformAdmin && role === 'admin',
      ...(isAgentToken(token.scopes) ? { automation: true, agentPolicy: token.mcpPolicy ?? null } : {}),
    };
  }

  private async fromJwt(credential: string, via: Via): Promise<Actor> {
    const claims = this.deps.jwt.verify(credential);
    if (claims.sub.startsWith('run:')) return this.deps.runCredentials.actor(claims, via);
    if (claims.typ === 'refresh') throw new AuthenticationError('a refresh token is not an access token: exchange it at POST /api/auth/token for a new pair', { code: 'invalid_token' });
    const session = claims.sid ? await this.deps.sessions.find(claims.sid) : null;
    if (!session || session.userId !== claims.sub) throw new AuthenticationError('invalid token', { code: 'invalid_token' });
    if (session.revokedAt) throw new AuthenticationError('this session was ended (logout, or a password or role change); log in again', { code: 'session_revoked' });
    if (session.expiresAt <= this.deps.clock.now()) throw new AuthenticationError('session has expired; log in again', { code: 'token_expired' });
    const user = await this.activeUser(claims.sub);
    if (user.tenantId !== claims.tid) throw new AuthenticationError('invalid token', { code: 'invalid_token' });
    return { kind: 'user', tenantId: user.tenantId, userId: user.id, role: user.role, name: user.email, via, isPlatformAdmin: user.isPlatformAdmin, sessionId: session.id };
  }

  private async activeUser(id: string): Promise<User> {
    const user = await this.deps.users.findById(id);
    if (!user || !user.isActive) throw new AuthenticationError('account is deactivated or does not exist', { code: 'invalid_token' });
    return user;
  }
}

function userActor(user: User, via: Via): Actor {
  return { kind: 'user', tenantId: user.tenantId, userId: user.id, role: user.role, name: user.email, via, isPlatformAdmin: user.isPlatformAdmin };
}
