import { ZodError } from 'zod';
import {
  AuthenticationError, ConflictError, DomainError, InputError, LockedError, NotAllowedError, NotFoundError,
  PreconditionFailedError, QuotaExceededError, RateLimitedError, UnavailableError,
} from '../../core/errors.js';

export interface ClassifiedError {
  status: number;
  code: string;
  message: string;
  /** field-level problems for validation errors */
  issues?: { path: string; message: string }[];
  retryAfterSeconds?: number;
  holder?: unknown;
  /** true when the message is safe to show: domain errors and client errors */
  expose: boolean;
}

/** The one place that decides which HTTP status a domain error gets; envelopes only format. */
export function classify(err: unknown): ClassifiedError {
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
    return { status: 400, code: 'validation_error', message: formatIssues(issues), issues, expose: true };
  }
  if (err instanceof DomainError) {
    const base = { code: err.code, message: err.message, expose: true };
    if (err instanceof InputError) return { ...base, status: 400, issues: err.issues };
    if (err instanceof AuthenticationError) return { ...base, status: 401 };
    if (err instanceof NotAllowedError) return { ...base, status: 403 };
    if (err instanceof QuotaExceededError) return { ...base, status: 403 };
    if (err instanceof NotFoundError) return { ...base, status: 404 };
    if (err instanceof LockedError) return { ...base, status: 423, holder: err.holder };
    if (err instanceof ConflictError) return { ...base, status: 409 };
    if (err instanceof PreconditionFailedError) return { ...base, status: 409 };
    if (err instanceof RateLimitedError) return { ...base, status: 429, retryAfterSeconds: err.retryAfterSeconds };
    if (err instanceof UnavailableError) return { ...base, status: 503 };
    return { ...base, status: 500, expose: false };
  }
  // Errors raised by Koa and its body parser carry an HTTP status and are safe to show when 4xx.
  const status = (err as { status?: number; statusCode?: number })?.status ?? (err as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: httpCode(status), message: clientMessage(status, err as Error), expose: true };
  }
  return { status: 500, code: 'internal_error', message: 'internal server error', expose: false };
}

export function formatIssues(issues: { path: string; message: string }[]): string {
  return 'invalid request: ' + issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

function httpCode(status: number): string {
  return { 400: 'bad_request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 413: 'payload_too_large', 415: 'unsupported_media_type' }[status] ?? 'bad_request';
}

function clientMessage(status: number, err: Error): string {
  if (status === 413) return 'request body is too large';
  if (status === 400 && /JSON|Unexpected token|invalid/i.test(err.message ?? '')) return 'request body is not valid JSON';
  return err.message || 'bad request';
}
