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
  constructor(private readonly secret: Buffer | string) {}

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
