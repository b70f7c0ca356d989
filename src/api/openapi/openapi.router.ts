import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import Router from '@koa/router';
import { NotFoundError } from '../../core/errors.js';
import type { AppState } from '../types.js';
import { buildOpenApiDocument } from './document.js';

/** Swagger UI's files, served from the swagger-ui-dist package: no CDN, works offline. */
const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const SWAGGER_UI_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css', 'index.css': 'text/css', 'swagger-ui-bundle.js': 'text/javascript',
  'swagger-ui-standalone-preset.js': 'text/javascript', 'favicon-16x16.png': 'image/png', 'favicon-32x32.png': 'image/png',
  'oauth2-redirect.html': 'text/html', 'oauth2-redirect.js': 'text/javascript',
};

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Atlantas API</title>
  <link rel="stylesheet" href="/api/v1/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api/v1/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/v1/docs/swagger-ui-bundle.js"></script>
  <script src="/api/v1/docs/swagger-initializer.js"></script>
</body>
</html>
`;

/** Points Swagger UI at our document instead of the package's petstore default. */
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true });
};
`;

/** GET /api/v1/openapi.json (built once, from the route table) and the Swagger UI at /api/v1/docs. */
export function openapiRouter() {
  const router = new Router<AppState>({ prefix: '/api/v1' });
  let document: string | undefined;
  const files = new Map<string, Buffer>();

  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = (document ??= JSON.stringify(buildOpenApiDocument()));
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'text/html';
    ctx.body = DOCS_PAGE;
  });
  router.get('/docs/:file', async (ctx) => {
    const name = ctx.params.file;
    if (name === 'swagger-initializer.js') {
      ctx.type = 'text/javascript';
      ctx.body = INITIALIZER;
      return;
    }
    const type = Object.hasOwn(SWAGGER_UI_FILES, name) ? SWAGGER_UI_FILES[name] : undefined;
    if (!type) throw new NotFoundError(`no docs file ${name}`, { code: 'not_found' });
    if (!files.has(name)) files.set(name, await readFile(path.join(SWAGGER_UI_DIR, name)));
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = files.get(name);
  });
  return router;
}
