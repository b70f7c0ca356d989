import type Koa from 'koa';

export interface MountedRoute {
  method: string;
  /** the Koa path template, e.g. /api/v1/runs/:id */
  path: string;
}

interface RouterLike {
  stack: { path: string; methods: string[] }[];
}

/**
 * Every route the app's routers answer, read from the mounted @koa/router middleware (each
 * carries its router): what the OpenAPI completeness test compares the document with. HEAD is
 * left out (every GET answers it); router.use() layers have no methods and are not routes.
 */
export function mountedRoutes(app: Koa<any, any>): MountedRoute[] {
  const routes: MountedRoute[] = [];
  for (const middleware of app.middleware) {
    const router = (middleware as { router?: RouterLike }).router;
    if (!router) continue;
    for (const layer of router.stack) {
      for (const method of layer.methods) {
        if (method !== 'HEAD') routes.push({ method: method.toLowerCase(), path: layer.path.replace(/(.)\/$/, '$1') });
      }
    }
  }
  return routes;
}
