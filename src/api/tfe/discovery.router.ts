import Router from '@koa/router';
import type Koa from 'koa';
import { LOGIN_CLIENT_ID, LOGIN_PORTS } from '../../core/tfe/tfe-login.service.js';
import type { AppState } from '../types.js';
import type { TfeOptions } from './tfe-context.js';

/** The API version the cloud block needs (≥ 2.5; 2.6 for import blocks in remote runs). */
export const TFE_HEADERS = { 'TFP-API-Version': '2.6', 'TFP-AppName': 'Atlantas', 'X-TFE-Version': 'v202612-1' } as const;

/** Every /api/v2 response carries the version headers go-tfe reads at client creation. */
export function tfeHeaders(): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path.startsWith('/api/v2/')) ctx.set(TFE_HEADERS);
    await next();
  };
}

/**
 * Service discovery (`/.well-known/terraform.json`, fetched by the CLI over https from the
 * hostname of a cloud block or `terraform login`) and `GET /api/v2/ping`. Paths are relative to
 * the discovery URL, or absolute under ATLANTAS_URL when it is set (a server behind a path prefix).
 */
export function tfeDiscoveryRouter(options: TfeOptions) {
  const router = new Router<AppState>();
  const at = (p: string) => `${options.publicUrl ?? ''}${p}`;
  router.get('/.well-known/terraform.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = {
      'tfe.v2': at('/api/v2/'), 'tfe.v2.1': at('/api/v2/'), 'tfe.v2.2': at('/api/v2/'), 'state.v2': at('/api/v2/'),
      'login.v1': { client: LOGIN_CLIENT_ID, grant_types: ['authz_code'], authz: at('/oauth/authorize'), token: at('/oauth/token'), ports: [...LOGIN_PORTS] },
      'modules.v1': at('/api/v2/registry/modules/'), 'providers.v1': at('/api/v2/registry/providers/'),
    };
  });
  router.get('/api/v2/ping', (ctx) => {
    ctx.status = 204;
  });
  return router;
}
