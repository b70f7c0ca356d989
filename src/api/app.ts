import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type { Logger } from '../logger.js';
import { errorMiddleware } from './error-middleware.js';
import { httpMetrics } from './metrics/http-metrics.js';
import { requestContext } from './request-context.js';
import { TrustedProxies } from './trusted-proxies.js';
import { RAW_BODY_PATHS, routers, type RoutesDeps } from './routes.js';
import { tfeHeaders } from './tfe/index.js';
import type { AppState } from './types.js';

export interface ApiAppDeps extends RoutesDeps {
  log: Logger;
}

/** The one Koa app: every REST surface, the webhook receivers and health endpoints. */
export function createApiApp(deps: ApiAppDeps): Koa<AppState> {
  // Koa's own proxy mode would believe any X-Forwarded-For; ctx.ip follows ATLANTAS_TRUSTED_PROXIES instead (trusted-proxies.ts).
  const app = new Koa<AppState>({ proxy: false });
  const proxies = TrustedProxies.parse(deps.config.http.trustedProxies);
  app.silent = true; // errorMiddleware logs; Koa's default stderr printer would duplicate it
  // DELETE too: the TFE API sends some bodies with a DELETE (relationships/tags, varset workspaces)
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: deps.config.http.bodyLimit, encoding: 'utf-8', parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'] });

  app.use((ctx, next) => {
    ctx.request.ip = proxies.clientAddress(ctx.req.socket.remoteAddress, ctx.get('x-forwarded-for'));
    return next();
  });
  app.use(requestContext(deps.log));
  app.use(tfeHeaders()); // the version headers go-tfe reads, on every /api/v2 answer (errors too)
  app.use(httpMetrics(deps.metrics)); // outside the error middleware: it sees the status sent
  app.use(errorMiddleware(deps.log));
  app.use((ctx, next) => {
    if (RAW_BODY_PATHS.some((re) => re.test(ctx.path))) return next();
    // A body that is not JSON would otherwise be parsed as {} and fail with a misleading message.
    if (ctx.request.length && ['POST', 'PUT', 'PATCH'].includes(ctx.method) && !ctx.is('json', 'application/*+json')) {
      ctx.throw(415, `unsupported content type "${ctx.get('content-type') || 'none'}"; send a JSON body with Content-Type: application/json`);
    }
    return json(ctx, next);
  });

  for (const router of routers(deps)) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true }));
  }
  return app;
}
