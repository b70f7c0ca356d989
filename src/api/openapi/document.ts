import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { VERSION } from '../../version.js';
import { ErrorResponse } from './resources.js';
import { API_ROUTES, PATH_PARAMS, type ApiRoute, type RouteResponse } from './routes.js';

type OpenApiDocument = ReturnType<typeof createDocument>;

/** Methods OpenAPI 3.1 has a Path Item field for; terraform's LOCK and UNLOCK become `x-lock` / `x-unlock`. */
const OPENAPI_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

const SECURITY: Record<string, Record<string, string[]>[]> = {
  bearer: [{ bearerAuth: [] }],
  state: [{ basicAuth: [] }, { bearerAuth: [] }],
  none: [],
};

/** `/api/v1/runs/:id` → `/api/v1/runs/{id}` */
export function openApiPath(koaPath: string): string {
  return koaPath.replace(/:(\w+)/g, '{$1}');
}

/** The OpenAPI 3.1 document of the v1 API, built from the route table. */
export function buildOpenApiDocument(routes: ApiRoute[] = API_ROUTES): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  const extensions: { path: string; method: string; key: string }[] = [];
  for (const route of routes) {
    const path = openApiPath(route.path);
    // zod-openapi renders standard methods only; a custom one is rendered under a placeholder path, then moved.
    const key = OPENAPI_METHODS.has(route.method) ? path : `${path}#${route.method}`;
    if (key !== path) extensions.push({ path, method: route.method, key });
    paths[key] = { ...paths[key], [OPENAPI_METHODS.has(route.method) ? route.method : 'post']: operation(route) };
  }
  const document = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Atlantas REST API v1',
      version: VERSION,
      description: 'Terraform control plane. Errors are `{ detail, code, request_id }` (with `errors` for invalid fields). '
        + 'The Terraform http state backend also answers LOCK and UNLOCK, described as `x-lock` and `x-unlock`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'a session JWT from POST /api/v1/auth/login, or an API token (atl_…)' },
        basicAuth: { type: 'http', scheme: 'basic', description: 'terraform\'s http backend: any username, an API token as password' },
      },
    },
    paths,
  });
  for (const { path, method, key } of extensions) {
    const item = document.paths![key] as Record<string, unknown>;
    (document.paths![path] as Record<string, unknown>)[`x-${method}`] = item.post;
    delete document.paths![key];
  }
  return document;
}

function operation(route: ApiRoute): ZodOpenApiOperationObject {
  const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
  const auth = route.auth ?? 'bearer';
  return {
    operationId: operationId(route),
    tags: [route.tag],
    summary: route.summary,
    security: SECURITY[auth],
    requestParams: {
      ...(params.length ? { path: z.object(Object.fromEntries(params.map((p) => [p, z.string().meta({ description: PATH_PARAMS[p] ?? p })]))) } : {}),
      ...(route.query ? { query: route.query } : {}),
    },
    ...(route.body ? { requestBody: { required: route.method !== 'unlock', content: { [route.bodyType ?? 'application/json']: { schema: route.body } } } } : {}),
    responses: responses(route, auth, params.length > 0),
  };
}

/** The success response and the errors the route can answer with, in the v1 error envelope unless it says otherwise. */
function responses(route: ApiRoute, auth: string, hasParams: boolean): ZodOpenApiResponsesObject {
  const implied: Record<number, string | undefined> = {
    ...(route.body || route.query ? { 400: 'invalid request: `errors` names every bad field' } : {}),
    ...(auth !== 'none' ? { 401: 'missing or invalid credential', 403: 'your role may not do this', 429: 'too many requests (Retry-After)' } : {}),
    ...(hasParams ? { 404: 'not found (also what another tenant\'s object looks like)' } : {}),
    ...(route.body ? { 413: 'request body too large' } : {}),
    ...(route.body && !route.rawBody ? { 415: 'send Content-Type: application/json' } : {}),
  };
  const out: ZodOpenApiResponsesObject = {};
  for (const [status, r] of Object.entries(route.ok)) out[status as '200'] = response(r);
  for (const [status, description] of Object.entries(implied)) if (description) out[status as '400'] = response({ description, schema: ErrorResponse });
  for (const [status, r] of Object.entries(route.errors ?? {})) out[status as '409'] = response({ schema: ErrorResponse, ...r });
  out.default = response({ description: 'unexpected error', schema: ErrorResponse });
  return out;
}

function response(r: RouteResponse) {
  return {
    description: r.description,
    ...(r.headers ? { headers: r.headers } : {}),
    ...(r.schema ? { content: { [r.type ?? 'application/json']: { schema: r.schema } } } : {}),
  };
}

/** GET /api/v1/runs/:id/approve → postRunsByIdApprove */
function operationId(route: ApiRoute): string {
  const words = route.path.replace(/^\/api\/v1\//, '').split(/[/.]/).filter(Boolean)
    .map((w) => (w.startsWith(':') ? `By${cap(w.slice(1))}` : w.split(/[-_]/).map(cap).join('')));
  return route.method + words.join('');
}

const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
