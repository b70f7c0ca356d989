import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Core } from '../core/index.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import { errorMiddleware } from './error-middleware.js';
import { httpMetrics } from './metrics/http-metrics.js';
import type { PromMetrics } from './metrics/prom-metrics.js';
import { openapiRouter } from './openapi/openapi.router.js';
import { requestContext } from './request-context.js';
import { authRouter } from './routers/auth.router.js';
import { environmentsRouter } from './routers/environments.router.js';
import { healthRouter } from './routers/health.router.js';
import { instancesRouter } from './routers/instances.router.js';
import { projectsRouter } from './routers/projects.router.js';
import { tenantRouter } from './routers/tenant.router.js';
import { usersRouter } from './routers/users.router.js';
import type { AppState } from './types.js';

export interface ApiAppDeps {
  core: Core;
  log: Logger;
  lifecycle: Lifecycle;
  bodyLimit: number;
  /** paths whose bodies a router reads raw (state backend, webhooks with signatures) */
  rawBodyPaths?: RegExp[];
  /** routers of other surfaces, mounted after the v1 ones */
  extraRouters?: Router<AppState>[];
  /** counts and times every request by route template (GET /metrics serves them) */
  metrics?: PromMetrics;
}

/** The one Koa app: every REST surface, the webhook receivers and health endpoints. */
export function createApiApp(deps: ApiAppDeps): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: true });
  app.silent = true; // errorMiddleware logs; Koa's default stderr printer would duplicate it
  const raw = deps.rawBodyPaths ?? [];
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: deps.bodyLimit, encoding: 'utf-8' });

  app.use(requestContext(deps.log));
  if (deps.metrics) app.use(httpMetrics(deps.metrics)); // outside the error middleware: it sees the status sent
  app.use(errorMiddleware(deps.log));
  app.use((ctx, next) => {
    if (raw.some((re) => re.test(ctx.path))) return next();
    // A body that is not JSON would otherwise be parsed as {} and fail with a misleading message.
    if (ctx.request.length && ['POST', 'PUT', 'PATCH'].includes(ctx.method) && !ctx.is('json', 'application/*+json')) {
      ctx.throw(415, `unsupported content type "${ctx.get('content-type') || 'none'}"; send a JSON body with Content-Type: application/json`);
    }
    return json(ctx, next);
  });

  const routers: Router<AppState>[] = [
    healthRouter({ db: deps.core.db, lifecycle: deps.lifecycle }),
    authRouter(deps.core),
    usersRouter(deps.core),
    tenantRouter(deps.core),
    projectsRouter(deps.core),
    environmentsRouter(deps.core),
    instancesRouter(deps.core),
    openapiRouter(),
    ...(deps.extraRouters ?? []),
  ];
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true }));
  }
  return app;
}
