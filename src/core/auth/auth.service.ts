import jwt from 'jsonwebtoken';
import type { Logger } from '../../logger.js';
import type { Actor, Via } from '../actor.js';
import type { Clock } from '../clock.js';
import { AuthenticationError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { ApiTokenModel } from './api-token.model.js';
import { hashToken, looksLikeApiToken } from './api-token.js';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password.js';
import type { RateLimiter } from './rate-limiter.js';
import type { User, UserModel } from './user.model.js';
import { Sequelize } from 'sequelize';

export interface AuthDeps {
  users: UserModel;
  tokens: ApiTokenModel;
  jwtSecret: Buffer | string;
  jwtTtlMs: number;
  requestLimiter: RateLimiter;
  loginLimiter: RateLimiter;
  clock: Clock;
  log: Logger;
}

interface SessionClaims {
  sub: string;
  tid: string;
  /** a short-lived token made for one purpose (e.g. a run's state backend access) */
  scope?: string;
}

/** Turns credentials into an Actor. Every surface authenticates through here. */
export class AuthService {
  constructor(private readonly deps: AuthDeps) {}

  async login(email: string, password: string, clientKey: string): Promise<{ accessToken: string; expiresIn: number }> {
    this.deps.loginLimiter.take(`login:${clientKey}:${email.toLowerCase()}`, 'login attempts');
    const user = await this.deps.users.findOne({
      where: Sequelize.where(Sequelize.fn('lower', Sequelize.col('email')), email.trim().toLowerCase()),
    });
    const ok = await verifyPassword(password, user?.getDataValue('passwordHash') ?? DUMMY_PASSWORD_HASH);
    if (!user || !ok || !user.getDataValue('isActive')) throw new AuthenticationError('invalid email or password', { code: 'invalid_credentials' });
    return { accessToken: this.sign({ sub: user.getDataValue('id'), tid: user.getDataValue('tenantId') }, this.deps.jwtTtlMs), expiresIn: Math.floor(this.deps.jwtTtlMs / 1000) };
  }

  /**
   * A credential for one run's terraform process: it may read and write exactly that run's
   * state (scope `state:<name>/<workspace>`) and nothing else, and expires with the run.
   */
  issueRunToken(run: { id: string; tenantId: string; stateName: string | null; workspace: string }, ttlMs: number): string {
    return this.sign({ sub: `run:${run.id}`, tid: run.tenantId, scope: `state:${run.stateName ?? ''}/${run.workspace}` }, ttlMs);
  }

  /** A bearer credential: an API token (`atl_…`) or a JWT from login. */
  async authenticate(credential: string, via: Via): Promise<Actor> {
    if (!credential) throw new AuthenticationError('missing credentials: send Authorization: Bearer <token>', { code: 'unauthenticated' });
    const actor = looksLikeApiToken(credential) ? await this.fromApiToken(credential, via) : await this.fromJwt(credential, via);
    if (!actor.runId) this.deps.requestLimiter.take(actor.tokenId ? `token:${actor.tokenId}` : `user:${actor.userId}`);
    return actor;
  }

  private async fromApiToken(raw: string, via: Via): Promise<Actor> {
    const token = await this.deps.tokens.findOne({ where: { tokenHash: hashToken(raw) } });
    const now = this.deps.clock.now();
    if (!token || token.getDataValue('revokedAt')) throw new AuthenticationError('invalid or revoked API token', { code: 'invalid_token' });
    const expiresAt = token.getDataValue('expiresAt');
    if (expiresAt && expiresAt <= now) throw new AuthenticationError('API token has expired', { code: 'token_expired' });
    const user = await this.activeUser(token.getDataValue('userId'));
    // Recording last use is best effort and must not slow or fail the request.
    void token.update({ lastUsedAt: now }).catch((err) => this.deps.log.warn({ err }, 'could not record token use'));
    return {
      kind: 'token', tenantId: user.tenantId, userId: user.id, tokenId: token.getDataValue('id'),
      role: user.role, name: `${user.email} (token ${token.getDataValue('name')})`, via, isPlatformAdmin: user.isPlatformAdmin,
    };
  }

  private async fromJwt(credential: string, via: Via): Promise<Actor> {
    let claims: SessionClaims;
    try {
      claims = jwt.verify(credential, this.deps.jwtSecret, { algorithms: ['HS256'] }) as SessionClaims;
    } catch (err) {
      const expired = (err as Error).name === 'TokenExpiredError';
      throw new AuthenticationError(expired ? 'session has expired; log in again' : 'invalid token', { code: expired ? 'token_expired' : 'invalid_token' });
    }
    if (claims.sub.startsWith('run:')) {
      const runId = claims.sub.slice(4);
      return { kind: 'system', tenantId: claims.tid, role: 'member', name: `run ${runId}`, via, isPlatformAdmin: false, automation: true, scope: claims.scope, runId };
    }
    const user = await this.activeUser(claims.sub);
    if (user.tenantId !== claims.tid) throw new AuthenticationError('invalid token', { code: 'invalid_token' });
    return { kind: 'user', tenantId: user.tenantId, userId: user.id, role: user.role, name: user.email, via, isPlatformAdmin: user.isPlatformAdmin };
  }

  private async activeUser(id: string): Promise<User> {
    const user = isUuid(id) ? await this.deps.users.findByPk(id) : null;
    if (!user || !user.getDataValue('isActive')) throw new AuthenticationError('account is deactivated or does not exist', { code: 'invalid_token' });
    return user.get({ plain: true });
  }

  async me(actor: Actor): Promise<User> {
    if (!actor.userId) throw new NotFoundError('this actor has no user profile');
    return this.activeUser(actor.userId);
  }

  private sign(claims: SessionClaims, ttlMs: number): string {
    return jwt.sign(claims, this.deps.jwtSecret, { algorithm: 'HS256', expiresIn: Math.max(1, Math.floor(ttlMs / 1000)) });
  }
}
