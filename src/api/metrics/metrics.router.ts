import Router from '@koa/router';
import type { ServerStats } from '../../core/server-stats/server-stats.service.js';
import { AuthenticationError } from '../../core/errors.js';
import { sameSecret } from '../same-secret.js';
import { credentialFrom } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import type { PromMetrics } from './prom-metrics.js';

export interface MetricsRouterOptions {
  /** ATLANTAS_METRICS_TOKEN: when set, the scrape must send it as `Authorization: Bearer` */
  token?: string;
  /** the server-wide gauges, read on each scrape (core.serverStats.snapshot with the scraper actor) */
  stats: () => Promise<ServerStats>;
}

/** GET /metrics in Prometheus text format. */
export function metricsRouter(metrics: PromMetrics, options: MetricsRouterOptions) {
  const router = new Router<AppState>();
  router.get('/metrics', async (ctx) => {
    if (options.token && !sameSecret(bearer(ctx.get('authorization')), options.token)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AuthenticationError('invalid or missing bearer token for /metrics (ATLANTAS_METRICS_TOKEN)', { code: 'unauthenticated' });
    }
    try {
      metrics.serverStats(await options.stats());
    } catch (err) {
      // Process and HTTP figures matter most when the database is in trouble: answer with the last known gauges.
      ctx.state.log.warn({ err }, 'could not read queue depth for /metrics');
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}

function bearer(header: string): string {
  if (!/^bearer\s/i.test(header.trim())) return '';
  return credentialFrom(header);
}
