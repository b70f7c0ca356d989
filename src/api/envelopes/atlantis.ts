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
