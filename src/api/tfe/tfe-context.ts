import type Koa from 'koa';
import { InputError } from '../../core/errors.js';

/** Shared by the TFE routers: where this server is reached, and the paging go-tfe asks for. */
export interface TfeOptions {
  /** ATLANTAS_URL: absolute URLs (upload, download) start here; without it, where the request came in */
  publicUrl?: string;
  /** largest state body an upload URL takes (ATLANTAS_STATE_BODY_LIMIT) */
  stateBodyLimit: number;
}

export function baseUrl(ctx: Koa.Context, options: TfeOptions): string {
  return options.publicUrl ?? `${ctx.protocol}://${ctx.host}`;
}

/** `page[number]` (from 1) and `page[size]` (1-100, default 20). */
export function pageOf(ctx: Koa.Context): { page: number; size: number } {
  return { page: intParam(ctx, 'page[number]', 1, 1, 1_000_000), size: intParam(ctx, 'page[size]', 20, 1, 100) };
}

export function queryParam(ctx: Koa.Context, key: string): string | undefined {
  const v = ctx.query[key];
  const value = Array.isArray(v) ? v[0] : v;
  return value ? value : undefined;
}

export function intParam(ctx: Koa.Context, key: string, fallback: number, min: number, max: number): number {
  const raw = queryParam(ctx, key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`query parameter ${key} must be an integer from ${min} to ${max}`, { code: 'invalid_query' });
  return n;
}
