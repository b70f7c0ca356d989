import type { ClassifiedError } from './classify.js';

/** Atlantas v1 REST: bare JSON on success, `{ detail, code, request_id }` on error. */
export function v1Error(e: ClassifiedError, requestId: string): Record<string, unknown> {
  return {
    detail: e.message,
    code: e.code,
    ...(e.issues ? { errors: e.issues } : {}),
    ...(e.holder !== undefined ? { holder: e.holder } : {}),
    request_id: requestId,
  };
}
