import Router from '@koa/router';
import type { HealthService } from '../../core/health/health.service.js';
import type { Lifecycle } from '../../lifecycle.js';
import { VERSION } from '../../version.js';
import type { AppState } from '../types.js';

/** Liveness (/healthz, /health), readiness (/ready: the database answers), Atlantis /status. */
export function healthRouter(deps: { health: HealthService; lifecycle: Lifecycle }) {
  const router = new Router<AppState>();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok', version: VERSION, uptime_seconds: Math.floor((Date.now() - deps.lifecycle.startedAt) / 1000) };
  });
  router.get('/status', (ctx) => {
    ctx.body = { shutting_down: deps.lifecycle.shuttingDown, in_progress_operations: deps.lifecycle.inProgress(), version: VERSION, ...deps.health.sandbox() };
  });
  router.get('/ready', async (ctx) => {
    const database = await deps.health.database();
    const ready = database === 'ok' && !deps.lifecycle.shuttingDown;
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'unavailable', database, shutting_down: deps.lifecycle.shuttingDown };
  });
  return router;
}
