import { AuthenticationError, UnavailableError } from '../../core/errors.js';
import { sameSecret } from '../same-secret.js';
import type { ClassifiedError } from './classify.js';

/** Atlantis alpha API envelope: success/data/error/request_id/timestamp (atlantis-api.md). */
export function atlantisOk(data: unknown, requestId: string): Record<string, unknown> {
  return { success: true, data, error: null, request_id: requestId, timestamp: new Date().toISOString() };
}

const CODES: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  503: 'SERVICE_UNAVAILABLE',
};

export function atlantisError(e: ClassifiedError, requestId: string): Record<string, unknown> {
  return {
    success: false,
    data: null,
    error: { code: CODES[e.status] ?? (e.status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR'), message: e.message },
    request_id: requestId,
    timestamp: new Date().toISOString(),
  };
}

/** The Atlantis API's shared secret (X-Atlantis-Token), compared in constant time; off without ATLANTAS_API_SECRET. */
export function assertAtlantisToken(given: string, secret: string | undefined): void {
  if (!secret) throw new UnavailableError('ignoring request since API is disabled (set ATLANTAS_API_SECRET)', { code: 'api_disabled' });
  if (!sameSecret(given, secret)) throw new AuthenticationError('invalid or missing X-Atlantis-Token', { code: 'unauthenticated' });
}
