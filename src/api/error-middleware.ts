import type Koa from 'koa';
import type { Logger } from '../logger.js';
import { atlantisError } from './envelopes/atlantis.js';
import { ATLASAI_PATHS, atlasaiError, atlasaiStatusAndCode } from './envelopes/atlasai.js';
import { classify } from './envelopes/classify.js';
import { v1Error } from './envelopes/v1.js';
import { JSONAPI_TYPE, jsonapiError, jsonapiStatus } from './tfe/jsonapi.js';

/** The error envelopes served today; a new surface (TFE JSON:API) adds its renderer here. */
export type Surface = 'v1' | 'atlantis' | 'atlasai' | 'plain' | 'tfe';

type Classified = ReturnType<typeof classify>;
interface SurfaceErrors {
  render(e: Classified, requestId: string): unknown;
  /** a surface whose clients expect other statuses than core's (AtlasAI: 422 for validation, 402 for quotas) */
  status?(e: Classified): number;
  /** the media type of the error body, when not plain JSON */
  type?: string;
}
const surfaces: Record<Surface, SurfaceErrors> = {
  v1: { render: v1Error },
  atlantis: { render: atlantisError },
  atlasai: { render: atlasaiError, status: (e) => atlasaiStatusAndCode(e).status },
  plain: { render: v1Error },
  tfe: { render: jsonapiError, status: jsonapiStatus, type: JSONAPI_TYPE },
};

/** Which envelope a path speaks; routers may override with ctx.state.surface. */
export function surfaceFor(path: string): Surface {
  if (path.startsWith('/api/v1/')) return 'v1';
  if (path.startsWith('/api/v2/')) return 'tfe';
  if (ATLASAI_PATHS.test(path)) return 'atlasai';
  if (path.startsWith('/api/')) return 'atlantis';
  return 'plain';
}

/**
 * First middleware: maps every error to its surface's envelope, never leaks a stack trace, logs
 * server errors once with the request id (client errors at debug).
 */
export function errorMiddleware(log: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.throw(404, `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const e = classify(err);
      const requestId = String(ctx.state.requestId ?? '');
      const reqLog: Logger = ctx.state.log ?? log;
      if (e.status >= 500) reqLog.error({ err, status: e.status }, 'request failed');
      else reqLog.debug({ code: e.code, status: e.status }, e.message);
      if (!e.expose) e.message = `internal server error (request id ${requestId})`;
      const surface: Surface = ctx.state.surface ?? surfaceFor(ctx.path);
      const errors = surfaces[surface];
      ctx.status = errors.status?.(e) ?? e.status;
      ctx.body = errors.render(e, requestId);
      if (errors.type) ctx.type = errors.type;
      if (e.retryAfterSeconds) ctx.set('Retry-After', String(e.retryAfterSeconds));
      if (e.status === 401 && surface === 'v1') ctx.set('WWW-Authenticate', 'Bearer realm="atlantas"');
    }
  };
}
