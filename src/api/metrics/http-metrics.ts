import type Koa from 'koa';
import type { PromMetrics } from './prom-metrics.js';

/** The label of requests no route answered (404s, OPTIONS, 405s): never the raw path, whose values are unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

interface RouteLayer {
  path: string;
  methods: string[];
}

/**
 * Counts and times every request by the template of the route that answered it. Mounted before
 * the error middleware, so errors are counted with the status the client got.
 */
export function httpMetrics(metrics: PromMetrics): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.httpRequest({ method: ctx.method, route: routeTemplate(ctx), status: ctx.status }, (performance.now() - started) / 1000);
    }
  };
}

/**
 * The route template, e.g. `/api/v1/runs/:id`. @koa/router's `_matchedRoute` names the last layer
 * that ran, which is a `router.use()` layer when authentication refused the request; the first
 * layer matching path and method is the route the request was for, whichever layer answered.
 */
function routeTemplate(ctx: Koa.Context): string {
  const matched = (ctx as unknown as { matched?: RouteLayer[] }).matched ?? [];
  const route = matched.find((layer) => layer.methods.includes(ctx.method));
  return route?.path ?? UNMATCHED_ROUTE;
}
