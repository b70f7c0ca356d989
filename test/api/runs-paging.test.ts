import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResponse } from '../harness/http.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/**
 * GET /api/v1/runs pages two ways: `page`/`per_page` (offset, with X-Total-Count, as ever) and a
 * keyset `cursor` handed out in `Link: <…>; rel="next"`. Runs are inserted straight into the
 * table so that many share one created_at, the case where paging on time alone repeats or skips.
 */
describe('paging GET /api/v1/runs', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { ATLANTAS_RATE_LIMIT: '0', LOG_LEVEL: 'warn' } });
  });
  afterAll(() => app?.close());

  /** `n` runs in a tenant, three to a created_at (and two times a microsecond apart); ids in list order. */
  async function insertRuns(tenantId: string, n: number, repo: string): Promise<string[]> {
    await app.sql(
      `INSERT INTO runs (tenant_id, operation, source, repo_full_name, actor_kind, actor_name, via, created_at)
       SELECT :tenantId, 'plan', 'api', :repo, 'system', 'paging-test', 'api',
              timestamptz '2026-11-30 12:00:00.000100+00' + (g / 3) * interval '1 microsecond'
       FROM generate_series(1, :n) g RETURNING id`,
      { tenantId, n, repo },
    );
    const rows = await app.sql<{ id: string }>('SELECT id FROM runs WHERE tenant_id = :tenantId ORDER BY created_at DESC, id DESC', { tenantId });
    return rows.map((r) => r.id);
  }

  /** Follows rel="next" from the first page; every page's ids, and the headers of each. */
  async function walk(token: string, first: string): Promise<{ pages: string[][]; headers: Headers[] }> {
    const pages: string[][] = [];
    const headers: Headers[] = [];
    for (let path: string | null = first; path; ) {
      const res: HttpResponse = await app.req('GET', path, { token });
      expect(res.status, res.text).toBe(200);
      pages.push(res.body.map((r: { id: string }) => r.id));
      headers.push(res.headers);
      path = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
      expect(pages.length).toBeLessThan(50);
    }
    return { pages, headers };
  }

  it('walks every run of the tenant once, newest first, by following the next links', async () => {
    const tenant = await app.factories.tenant();
    const ids = await insertRuns(tenant.id, 23, 'acme/paging');
    const { pages, headers } = await walk(tenant.adminToken, '/api/v1/runs?per_page=5&repo=acme/paging');
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat()).toEqual(ids);
    expect(new Set(pages.flat()).size).toBe(23);
    expect(headers[0].get('x-total-count')).toBe('23');
    expect(headers[0].get('x-page')).toBe('1');
    expect(headers[1].get('x-total-count')).toBeNull(); // a cursor page does not count the tenant's runs
    expect(headers[1].get('link')).toContain('repo=acme%2Fpaging'); // the filters go along
    expect(headers[1].get('x-next-cursor')).toBe(/cursor=([^&>]+)/.exec(headers[1].get('link')!)![1]);
    expect(headers[4].get('link')).toBeNull();
  });

  it('keeps page and per_page as they were, and a page can be continued by its cursor', async () => {
    const tenant = await app.factories.tenant();
    const ids = await insertRuns(tenant.id, 12, 'acme/offset');
    const second = await app.req('GET', '/api/v1/runs?page=2&per_page=5', { token: tenant.adminToken });
    expect(second.body.map((r: { id: string }) => r.id)).toEqual(ids.slice(5, 10));
    expect(second.headers.get('x-total-count')).toBe('12');
    expect(second.headers.get('x-page')).toBe('2');
    const { pages } = await walk(tenant.adminToken, /^<([^>]+)>/.exec(second.headers.get('link')!)![1]);
    expect(pages.flat()).toEqual(ids.slice(10));
  });

  it('never shows another tenant\'s runs, whatever cursor is passed', async () => {
    const a = await app.factories.tenant();
    const b = await app.factories.tenant();
    const aIds = await insertRuns(a.id, 9, 'acme/a');
    const bIds = await insertRuns(b.id, 7, 'acme/b');
    const aFirst = await app.req('GET', '/api/v1/runs?per_page=4', { token: a.adminToken });
    const aCursor = aFirst.headers.get('x-next-cursor')!;
    const { pages } = await walk(b.adminToken, `/api/v1/runs?per_page=3&cursor=${aCursor}`);
    expect(pages.flat().every((id) => bIds.includes(id))).toBe(true);
    expect(pages.flat().some((id) => aIds.includes(id))).toBe(false);
    expect((await walk(b.adminToken, '/api/v1/runs?per_page=3')).pages.flat()).toEqual(bIds);
  });

  it('refuses a cursor it did not hand out, and a cursor with a page, saying what to do', async () => {
    const token = app.admin.token;
    for (const cursor of ['nonsense', Buffer.from('2026-13-40T12:00:00.000000|00000000-0000-0000-0000-000000000000').toString('base64url'), Buffer.from('yesterday|x').toString('base64url')]) {
      const res = await app.req('GET', `/api/v1/runs?cursor=${cursor}`, { token });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_cursor', detail: expect.stringMatching(/cursor is not one this API returned; pass the cursor of a "next" link unchanged/) });
    }
    const both = await app.req('GET', `/api/v1/runs?page=2&cursor=${Buffer.from('2026-11-30T12:00:00.000000|00000000-0000-0000-0000-000000000000').toString('base64url')}`, { token });
    expect(both.status).toBe(400);
    expect(both.body.detail).toMatch(/leave page out when you pass cursor/);
  });
});
