import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type { Logger } from '../logger.js';
import { errorMiddleware } from './error-middleware.js';
import { httpMetrics } from './metrics/http-metrics.js';
import { requestContext } from './request-context.js';
import { RAW_BODY_PATHS, routers, type RoutesDeps } from './routes.js';
import type { AppState } from './types.js';

export interface ApiAppDeps extends RoutesDeps {
  log: Logger;
}

/** The one Koa app: every REST surface, the webhook receivers and health endpoints. */
export function createApiApp(deps: ApiAppDeps): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: true });
  app.silent = true; // errorMiddleware logs; Koa's default stderr printer would duplicate it
  const raw = RAW_BODY_PATHS;
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: deps.config.http.bodyLimit, encoding: 'utf-8' });

  app.use(requestContext(deps.log));
  app.use(httpMetrics(deps.metrics)); // outside the error middleware: it sees the status sent
  app.use(errorMiddleware(deps.log));
  app.use((ctx, next) => {
    if (raw.some((re) => re.test(ctx.path))) return next();
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
