import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath } from '../../src/api/openapi/document.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/**
 * The OpenAPI 3.1 document at GET /api/v1/openapi.json: valid for a third-party validator,
 * complete against the routes the running server mounts (in both directions), built from the
 * schemas the routers validate with, and browsable in Swagger UI at /api/v1/docs.
 */
const STANDARD_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
/** How a method appears in a Path Item: terraform's LOCK/UNLOCK have no OpenAPI 3.1 field, so `x-lock`/`x-unlock`. */
const pathItemKey = (method: string) => (STANDARD_METHODS.has(method) ? method : `x-${method}`);

describe('GET /api/v1/openapi.json', () => {
  let app: TestApp;
  let doc: any;

  beforeAll(async () => {
    app = await startTestApp();
    const res = await app.req('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is an OpenAPI 3.1 document that a third-party validator accepts, every $ref resolving', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(() => validator.resolveRefs()).not.toThrow();
    const ids = Object.values(doc.paths).flatMap((item: any) => Object.values(item).map((op: any) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes every /api/v1 route the server mounts, with its method, and no route it does not mount', () => {
    const mounted = app.routes().filter((r) => r.path.startsWith('/api/v1/'));
    expect(mounted.length).toBeGreaterThan(50);
    const undocumented = mounted.filter((r) => !doc.paths[openApiPath(r.path)]?.[pathItemKey(r.method)]).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(undocumented).toEqual([]);

    const documented = Object.entries(doc.paths).flatMap(([path, item]: [string, any]) =>
      Object.keys(item).filter((k) => k !== 'parameters').map((k) => ({ path, method: k.replace(/^x-/, '') })));
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    const mountedKeys = new Set(mounted.map((r) => key({ method: r.method, path: openApiPath(r.path) })));
    expect(documented.filter((d) => !mountedKeys.has(key(d))).map(key)).toEqual([]);
  });

  it('describes each operation: path parameters, bodies, success and error responses in the v1 error shape', () => {
    const get = doc.paths['/api/v1/runs/{id}'].get;
    expect(get.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'id', required: true })]);
    expect(get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RunWithLog' });
    expect(get.responses['404'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.schemas.Error).toMatchObject({ required: expect.arrayContaining(['detail', 'code', 'request_id']) });

    const create = doc.paths['/api/v1/runs'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.properties.command).toMatchObject({ enum: ['plan', 'apply', 'destroy'], default: 'plan' });
    expect(body.properties.extra_args).toMatchObject({ type: 'array', maxItems: 100 });
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '415', '423']));

    const lock = doc.paths['/api/v1/tfstate/{name}/{workspace}']['x-lock'];
    expect(lock.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/LockInfo' });
    expect(lock.responses['423'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/LockInfo' });
    expect(lock.security).toEqual([{ basicAuth: [] }, { bearerAuth: [] }]);
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
  });

  it('documents the limits the routers enforce, because both come from the same schemas', async () => {
    const limit = doc.paths['/api/v1/audit'].get.parameters.find((p: any) => p.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', schema: { type: 'integer', maximum: 1000 } });
    const over = await app.req('GET', `/api/v1/audit?limit=${limit.schema.maximum + 1}`, { token: app.admin.token });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ code: 'validation_error', errors: [expect.objectContaining({ path: 'limit' })] });
    expect((await app.req('GET', `/api/v1/audit?limit=${limit.schema.maximum}`, { token: app.admin.token })).status).toBe(200);

    const repo = doc.paths['/api/v1/locks'].get.parameters.find((p: any) => p.name === 'repo');
    expect(repo.schema.pattern).toBeTruthy();
    const bad = await app.req('GET', '/api/v1/locks?repo=not-a-repo', { token: app.admin.token });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'repo', message: 'must be owner/repo' })]);
  });

  it('serves Swagger UI from the swagger-ui-dist package at /api/v1/docs, pointed at this document', async () => {
    const page = await app.req('GET', '/api/v1/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.every((a) => a.startsWith('/api/v1/docs/'))).toBe(true); // nothing from a CDN
    for (const asset of assets) {
      const res = await app.req('GET', asset);
      expect(res.status, asset).toBe(200);
      expect(res.text.length, asset).toBeGreaterThan(100);
    }
    const bundle = await app.req('GET', '/api/v1/docs/swagger-ui-bundle.js');
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(bundle.text).toContain('SwaggerUIBundle');
    expect((await app.req('GET', '/api/v1/docs/swagger-initializer.js')).text).toContain("url: '/api/v1/openapi.json'");
    expect((await app.req('GET', '/api/v1/docs/package.json')).status).toBe(404);
    expect((await app.req('GET', '/api/v1/docs/..%2F..%2Fpackage.json')).status).toBe(404);
  });
});
