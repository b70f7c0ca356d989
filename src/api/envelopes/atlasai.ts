import type { ClassifiedError } from './classify.js';

/** The paths of the AtlasAI surface (under /api/, beside Atlantis's own /api/plan, /api/apply, /api/drift, /api/locks). */
export const ATLASAI_PATHS = /^\/api\/(auth|incidents|rca|copilot|ai|runbooks|itsm|cmdb|logs|metrics|traces)(\/|$)/;

/** AtlasAI incident API (atlasai-api.txt): `{ data }` on success. */
export function atlasaiOk(data: unknown): { data: unknown } {
  return { data };
}

/**
 * AtlasAI's error codes and the HTTP statuses its table gives them. Statuses the table does not
 * name keep their own status and a code that says what happened.
 */
export function atlasaiStatusAndCode(e: ClassifiedError): { status: number; code: string } {
  if (e.code === 'invalid_transition') return { status: 400, code: 'INVALID_TRANSITION' };
  if (e.code === 'quota_exceeded') return { status: 402, code: 'QUOTA_EXCEEDED' };
  switch (e.status) {
    case 400: return { status: 422, code: 'VALIDATION_ERROR' };
    case 401: return { status: 401, code: 'UNAUTHORIZED' };
    case 403: return { status: 403, code: 'FORBIDDEN' };
    case 404: return { status: 404, code: 'NOT_FOUND' };
    case 409: return { status: 409, code: 'CONFLICT' };
    case 413: return { status: 413, code: 'VALIDATION_ERROR' };
    case 415: return { status: 415, code: 'VALIDATION_ERROR' };
    case 423: return { status: 423, code: 'LOCKED' };
    case 429: return { status: 429, code: 'RATE_LIMIT' };
    case 503: return { status: 503, code: 'UNAVAILABLE' };
    default: return e.status >= 500 ? { status: 500, code: 'ERROR' } : { status: e.status, code: 'VALIDATION_ERROR' };
  }
}

/** `{ error, code, trace_id }`: the trace id is the request id the server logs the request under. */
export function atlasaiError(e: ClassifiedError, requestId: string): Record<string, unknown> {
  return { error: e.message, code: atlasaiStatusAndCode(e).code, trace_id: requestId };
}
