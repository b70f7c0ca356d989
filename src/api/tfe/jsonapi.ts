import type Koa from 'koa';
import type { ClassifiedError } from '../envelopes/classify.js';

/**
 * The JSON:API envelope of the TFE V2 surface, as go-tfe (hashicorp/jsonapi) reads it: `data`
 * with `id`, `type` (exactly the type go-tfe expects), `attributes` and `relationships`; lists add
 * `meta.pagination`; errors are `{"errors":[{"status","title","detail"}]}`.
 */
export const JSONAPI_TYPE = 'application/vnd.api+json';

export interface Ref {
  id: string;
  type: string;
}

export interface Resource extends Ref {
  attributes: Record<string, unknown>;
  relationships?: Record<string, { data: Ref | Ref[] | null }>;
  links?: Record<string, string>;
}

export interface Pagination {
  'current-page': number;
  'prev-page': number | null;
  'next-page': number | null;
  'total-pages': number;
  'total-count': number;
}

export function pagination(page: number, size: number, total: number): Pagination {
  const pages = Math.max(1, Math.ceil(total / size));
  return {
    'current-page': page, 'prev-page': page > 1 ? page - 1 : null, 'next-page': page < pages ? page + 1 : null,
    'total-pages': pages, 'total-count': total,
  };
}

/** Puts a JSON:API document on the response. */
export function send(ctx: Koa.Context, status: number, data: Resource | Resource[], extra: { meta?: Record<string, unknown>; included?: Resource[] } = {}): void {
  ctx.status = status;
  ctx.type = JSONAPI_TYPE;
  ctx.body = { data, ...extra };
}

/** A list the server does not page: all of it, as page 1 of 1 (what go-tfe's list calls read). */
export function sendAll(ctx: Koa.Context, items: Resource[]): void {
  send(ctx, 200, items, { meta: { pagination: pagination(1, Math.max(items.length, 1), items.length) } });
}

const TITLES: Record<number, string> = {
  400: 'bad request', 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 405: 'method not allowed', 409: 'conflict',
  413: 'payload too large', 415: 'unsupported media type', 422: 'unprocessable entity', 429: 'too many requests', 503: 'service unavailable',
};

/**
 * Refusals TFC answers 422, which go-tfe reads as validation errors: a variable's or a set's
 * attributes, a taken key, a notification trigger it does not know, a URL the server will not call.
 */
const UNPROCESSABLE = new Set([
  'variable_invalid', 'variable_exists', 'variable_sensitive', 'varset_invalid', 'varset_exists',
  'tfe_notification_invalid', 'outbound_url_invalid', 'outbound_url_private', 'outbound_url_unresolvable',
]);

/**
 * go-tfe reads 409 on actions/lock as "workspace already locked", so a held lock (core's
 * LockedError, 423 elsewhere) is a 409 here.
 */
export function jsonapiStatus(e: ClassifiedError): number {
  if (UNPROCESSABLE.has(e.code)) return 422;
  return e.status === 423 ? 409 : e.status;
}

export function jsonapiError(e: ClassifiedError, requestId: string): Record<string, unknown> {
  const status = jsonapiStatus(e);
  return {
    errors: [{ status: String(status), title: TITLES[status] ?? (status >= 500 ? 'internal server error' : 'error'), detail: e.message, code: e.code, meta: { request_id: requestId } }],
  };
}
