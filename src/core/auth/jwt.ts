import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AuthenticationError } from '../errors.js';

/** What Atlantas puts in the JWTs it signs. */
export interface JwtClaims {
  /** a user id, or `run:<id>` for a run's state credential */
  sub: string;
  tid: string;
  /** the login session (sessions table) */
  sid?: string;
  /** a run credential's state, `state:<name>/<workspace>` */
  scope?: string;
  /** a run credential's phase */
  phase?: string;
  /** `refresh`: a refresh token (AtlasAI's POST /api/auth/token), good only for getting a new pair */
  typ?: 'refresh';
}

/** HS256 signing and verification with the server's secret; a bad or expired token is an AuthenticationError. */
export class JwtCodec {
  /**
   * The secret as a KeyObject, made once: given a string or Buffer, jsonwebtoken first tries to
   * parse it as a public or private key and builds a new secret key on every call (about half a
   * millisecond per request; every state backend request of a run verifies one). An empty
   * secret stays as it is, so that jsonwebtoken refuses it as before.
   */
  private readonly secret: KeyObject | Buffer | string;

  constructor(secret: Buffer | string) {
    this.secret = secret.length ? createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret) : secret;
  }

  sign(claims: JwtClaims, ttlMs: number): string {
    return jwt.sign(claims, this.secret, { algorithm: 'HS256', expiresIn: Math.max(1, Math.floor(ttlMs / 1000)) });
  }

  verify(token: string): JwtClaims {
    try {
      const claims = jwt.verify(token, this.secret, { algorithms: ['HS256'] }) as JwtClaims;
      if (typeof claims.sub !== 'string' || typeof claims.tid !== 'string') throw new Error('claims missing');
      return claims;
    } catch (err) {
      const expired = (err as Error).name === 'TokenExpiredError';
      throw new AuthenticationError(expired ? 'session has expired; log in again' : 'invalid token', { code: expired ? 'token_expired' : 'invalid_token' });
    }
  }
}
