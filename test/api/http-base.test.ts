import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';

describe('HTTP base', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { ATLANTAS_BODY_LIMIT: '2kb' } });
  });
  afterAll(() => app?.close());

  it('serves the health endpoints in their documented shapes', async () => {
    expect((await app.req('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await app.req('GET', '/status')).body).toEqual({ shutting_down: false, in_progress_operations: 0, version: expect.any(String), sandbox: 'bwrap' });
    expect((await app.req('GET', '/health')).body).toMatchObject({ status: 'ok', version: expect.any(String) });
    const ready = await app.req('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', database: 'ok' });
  });

  it('answers malformed JSON with 400, an oversized body with 413, an unknown route with 404, a wrong method with 405, a non-JSON body with 415', async () => {
    const malformed = await app.req('POST', '/api/v1/auth/login', { rawBody: '{"email": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ detail: 'request body is not valid JSON', code: 'bad_request' });

    const big = await app.req('POST', '/api/v1/auth/login', { body: { email: 'x'.repeat(4096), password: 'y' } });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ detail: 'request body is too large', code: 'payload_too_large' });

    const unknown = await app.req('GET', '/api/v1/nothing-here', { token: app.admin.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'not_found', detail: 'no route for GET /api/v1/nothing-here' });

    const wrongMethod = await app.req('PUT', '/api/v1/tenant', { token: app.admin.token, body: {} });
    expect(wrongMethod.status).toBe(405);

    const notJson = await app.req('POST', '/api/v1/projects', { token: app.admin.token, rawBody: 'name=x', headers: { 'content-type': 'text/plain' } });
    expect(notJson.status).toBe(415);
    expect(notJson.body).toMatchObject({ code: 'unsupported_media_type', detail: 'unsupported content type "text/plain"; send a JSON body with Content-Type: application/json' });
  });

  it('renders errors on Atlantis routes in the Atlantis envelope', async () => {
    const res = await app.req('POST', '/api/plan', { rawBody: '{oops', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, data: null, error: { code: 'VALIDATION_ERROR', message: 'request body is not valid JSON' }, request_id: expect.any(String), timestamp: expect.any(String) });
  });

  it('puts a request id on every response, echoing a sane client id', async () => {
    const ok = await app.req('GET', '/healthz');
    expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await app.req('GET', '/api/v1/projects', { headers: { 'x-request-id': 'client-req-12345' } });
    expect(echoed.headers.get('x-request-id')).toBe('client-req-12345');
    expect(echoed.body.request_id).toBe('client-req-12345');
    const hostile = await app.req('GET', '/healthz', { headers: { 'x-request-id': 'bad id <script>' } });
    expect(hostile.headers.get('x-request-id')).not.toContain('<script>');
  });

  it('never leaks a stack trace: a non-UUID id is a 404, not a database error', async () => {
    const res = await app.req('GET', "/api/v1/projects/1'; DROP TABLE projects;--", { token: app.admin.token });
    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/at .*\.ts:\d+|Sequelize|stack/i);
  });
});

describe('when the database goes away', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('reports 503 on /ready and a generic 500 with the request id (no internals) elsewhere, logged once', async () => {
    const token = app.admin.token;
    await app.internals.db.sequelize.close();
    const ready = await app.req('GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', database: 'unavailable' });
    expect((await app.req('GET', '/healthz')).status).toBe(200); // liveness is not readiness

    const res = await app.req('GET', '/api/v1/projects', { token });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ detail: `internal server error (request id ${res.body.request_id})`, code: 'internal_error', request_id: res.body.request_id });
    expect(res.text).not.toMatch(/ConnectionManager|pool|sequelize|\.ts:/i);
    const errorLines = app.logs.lines.filter((l) => l.level === 50 && l.reqId === res.body.request_id);
    expect(errorLines).toHaveLength(1);
  });
});
