import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_STATUSES, allowedNext, type IncidentStatus } from '../../src/core/incidents/incident-status.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

const envelopeError = (code: string, error?: RegExp | string) =>
  ({ error: error === undefined ? expect.any(String) : typeof error === 'string' ? error : expect.stringMatching(error), code, trace_id: expect.any(String) });

/** AtlasAI's /api/incidents (atlasai-api.txt "Incidents"): the state machine, lookup, paging, the envelope and its codes. */
describe('AtlasAI incidents API', () => {
  let app: TestApp;
  let member: { token: string; email: string; tenantId: string };
  let viewer: { token: string };

  beforeAll(async () => {
    app = await startTestApp();
    member = await app.factories.user({ role: 'member' });
    viewer = await app.factories.user({ role: 'viewer' });
  });
  afterAll(() => app?.close());

  const create = (body: Record<string, unknown>, token = member.token) => app.req('POST', '/api/incidents', { token, body });
  const patch = (id: string, body: Record<string, unknown>, token = member.token) => app.req('PATCH', `/api/incidents/${id}`, { token, body });

  it('creates an incident in the { data } envelope with the next gap-free reference, starting triggered', async () => {
    const res = await create({ title: 'Database connection pool exhausted', severity: 'P1', description: 'pool at 100%', source: 'prometheus', ci_ids: ['ci-001'] });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ data: expect.objectContaining({
      id: expect.any(String), reference: expect.stringMatching(/^INC-\d{8}$/), title: 'Database connection pool exhausted', severity: 'P1',
      status: 'triggered', source: 'prometheus', ci_ids: ['ci-001'], description: 'pool at 100%', created_by: expect.stringContaining(member.email),
    }) });
    const next = await create({ title: 'second' });
    const n = (ref: string) => Number(ref.slice(4));
    expect(n(next.body.data.reference)).toBe(n(res.body.data.reference) + 1);
    expect(next.body.data).toMatchObject({ severity: 'P3', source: 'manual', ci_ids: [] });
    // the timeline says who created it and when, and links the CI
    const got = await app.req('GET', `/api/incidents/${res.body.data.id}`, { token: viewer.token });
    expect(got.body.data.timeline).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'created', at: expect.any(String), actor: { kind: 'token', name: expect.stringContaining(member.email), via: 'api' } }),
      expect.objectContaining({ kind: 'linked', link: { kind: 'ci', id: 'ci-001' } }),
    ]));
  });

  it('finds an incident by id and by reference (any case), and not another tenant\'s', async () => {
    const { data } = (await create({ title: 'lookup' })).body;
    for (const key of [data.id, data.reference, data.reference.toLowerCase()]) {
      const res = await app.req('GET', `/api/incidents/${key}`, { token: viewer.token });
      expect(res.status, key).toBe(200);
      expect(res.body.data).toMatchObject({ id: data.id, reference: data.reference });
    }
    const other = await app.factories.tenant();
    const theirs = await create({ title: 'theirs' }, other.adminToken);
    expect(theirs.body.data.reference).toBe('INC-00000001'); // numbering is per tenant
    const byId = await app.req('GET', `/api/incidents/${theirs.body.data.id}`, { token: member.token });
    expect(byId.status).toBe(404);
    expect(byId.body).toEqual(envelopeError('NOT_FOUND', /not found/));
    expect((await patch(theirs.body.data.id, { status: 'open' })).status).toBe(404);
    const ours = await app.req('GET', '/api/incidents/INC-00000001', { token: member.token });
    expect(ours.body.data.title).not.toBe('theirs');
    expect((await app.req('GET', '/api/incidents/INC-99999999', { token: member.token })).status).toBe(404);
    expect((await app.req('GET', '/api/incidents/not-an-id', { token: member.token })).status).toBe(404);
  });

  it('moves along every valid transition and refuses every other one with INVALID_TRANSITION naming the allowed next states', async () => {
    const { data } = (await create({ title: 'state machine' })).body;
    const walk: IncidentStatus[] = ['open', 'acknowledged', 'investigating', 'resolved', 'reopened', 'investigating', 'resolved', 'closed'];
    let at: IncidentStatus = 'triggered';
    const tried = new Set<string>();
    for (const to of [...walk, null]) {
      for (const wrong of INCIDENT_STATUSES.filter((s) => !allowedNext(at).includes(s))) {
        const res = await patch(data.reference, { status: wrong });
        expect(res.status, `${at} → ${wrong}`).toBe(400);
        const allowed = allowedNext(at);
        expect(res.body).toEqual(envelopeError('INVALID_TRANSITION', allowed.length ? `incident ${data.reference} cannot go from ${at} to ${wrong}: allowed next: ${allowed.join(', ')}` : `incident ${data.reference} cannot go from ${at} to ${wrong}: closed is final; nothing follows it`));
        tried.add(`${at}>${wrong}`);
      }
      if (!to) break;
      const body: Record<string, unknown> = { status: to };
      if (to === 'resolved') Object.assign(body, { resolution_notes: 'Scaled connection pool to 200', resolved_by: 'ops@example.com' });
      const res = await patch(data.id, body);
      expect(res.status, `${at} → ${to}: ${res.text}`).toBe(200);
      expect(res.body.data.status).toBe(to);
      if (to === 'resolved') expect(res.body.data).toMatchObject({ resolution_notes: 'Scaled connection pool to 200', resolved_by: 'ops@example.com', resolved_at: expect.any(String) });
      if (to === 'reopened') expect(res.body.data).toMatchObject({ resolved_at: null, resolved_by: null });
      at = to;
    }
    // every (from, to) pair that is not an edge was refused: 7 statuses × 7 targets − 7 edges
    expect(tried.size).toBe(49 - 7);
    const { timeline } = (await app.req('GET', `/api/incidents/${data.id}`, { token: member.token })).body.data;
    expect(timeline.filter((e: any) => e.kind === 'status').map((e: any) => e.message)).toEqual(
      ['triggered', ...walk].slice(0, -1).map((from, i) => `${from} → ${walk[i]}`),
    );
    expect(timeline.every((e: any) => e.actor.name && e.at)).toBe(true);
  });

  it('changes other fields without a status, on the timeline', async () => {
    const { data } = (await create({ title: 'fields' })).body;
    const res = await patch(data.id, { severity: 'P2', assignee: 'oncall@example.com', ci_ids: ['ci-9'], title: 'fields, renamed' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toMatchObject({ severity: 'P2', assignee: 'oncall@example.com', ci_ids: ['ci-9'], title: 'fields, renamed', status: 'triggered' });
    expect(res.body.data.timeline.at(-1)).toMatchObject({ kind: 'updated', message: expect.stringContaining('severity'), details: expect.objectContaining({ severity: 'P2' }) });
  });

  it('folds a create with the dedup_key of an unresolved incident into it', async () => {
    const first = await create({ title: 'disk full', dedup_key: 'disk:web-1' });
    const again = await create({ title: 'disk full', dedup_key: 'disk:web-1', severity: 'P1' });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ id: first.body.data.id, occurrences: 2, severity: 'P1' });
  });

  it('reopens a recently resolved incident when its dedup_key is signalled again, and opens a new one once it is closed', async () => {
    const first = (await create({ title: 'cert expiry', dedup_key: 'cert:api' })).body.data;
    for (const status of ['open', 'acknowledged', 'investigating', 'resolved']) expect((await patch(first.id, { status })).status).toBe(200);
    const again = await create({ title: 'cert expiry', dedup_key: 'cert:api' });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ id: first.id, status: 'reopened', occurrences: 2, resolved_at: null });
    expect(again.body.data.timeline.filter((e: any) => e.kind === 'status').at(-1).message).toBe('resolved → reopened');
    for (const status of ['investigating', 'resolved', 'closed']) expect((await patch(first.id, { status })).status).toBe(200);
    const fresh = await create({ title: 'cert expiry', dedup_key: 'cert:api' });
    expect(fresh.status).toBe(201);
    expect(fresh.body.data.id).not.toBe(first.id);
  });

  it('numbers concurrent creates of a tenant without gaps or duplicates', async () => {
    const tenant = await app.factories.tenant();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => create({ title: `race ${i}` }, tenant.adminToken)));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(results.map((r) => r.body.data.reference).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `INC-${String(i + 1).padStart(8, '0')}`));
  });

  it('audits every change with who did it', async () => {
    const { data } = (await create({ title: 'audited' })).body;
    await patch(data.id, { status: 'open' });
    const audit = await app.req('GET', `/api/v1/audit?target_type=incident&target_id=${data.id}`, { token: app.admin.token });
    expect(audit.status, audit.text).toBe(200);
    const mine = audit.body.filter((e: any) => e.target.id === data.id);
    expect(mine.map((e: any) => e.action).sort()).toEqual(['incident.create', 'incident.update']);
    expect(mine.every((e: any) => e.actor.name.includes(member.email))).toBe(true);
  });

  it('lists with status, severity, limit and offset as { items, total, limit, offset }', async () => {
    const tenant = await app.factories.tenant();
    for (const [i, severity] of ['P1', 'P2', 'P2', 'P3', 'P2'].entries()) await create({ title: `page ${i}`, severity }, tenant.adminToken);
    const second = (await app.req('GET', '/api/incidents?limit=2&offset=0', { token: tenant.adminToken })).body.data.items[1];
    await patch(second.id, { status: 'open' }, tenant.adminToken);

    const all = await app.req('GET', '/api/incidents', { token: tenant.adminToken });
    expect(all.body.data).toMatchObject({ total: 5, limit: 50, offset: 0 });
    expect(all.body.data.items.map((i: any) => i.title)).toEqual(['page 4', 'page 3', 'page 2', 'page 1', 'page 0']);
    const page = await app.req('GET', '/api/incidents?limit=2&offset=2', { token: tenant.adminToken });
    expect(page.body.data).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(page.body.data.items.map((i: any) => i.title)).toEqual(['page 2', 'page 1']);
    const p2 = await app.req('GET', '/api/incidents?severity=P2&limit=2', { token: tenant.adminToken });
    expect(p2.body.data).toMatchObject({ total: 3, limit: 2 });
    expect(p2.body.data.items.map((i: any) => i.title)).toEqual(['page 4', 'page 2']);
    const open = await app.req('GET', '/api/incidents?status=open', { token: tenant.adminToken });
    expect(open.body.data).toMatchObject({ total: 1, items: [expect.objectContaining({ title: 'page 3', status: 'open' })] });
    const both = await app.req('GET', '/api/incidents?status=triggered&severity=P2', { token: tenant.adminToken });
    expect(both.body.data.total).toBe(3);

    const bad = await app.req('GET', '/api/incidents?limit=0&status=burning', { token: tenant.adminToken });
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual(envelopeError('VALIDATION_ERROR', /status: must be one of triggered.*limit: .*1/));
  });

  it('answers each error in the AtlasAI envelope with its code and status', async () => {
    const noToken = await app.req('GET', '/api/incidents');
    expect(noToken.status).toBe(401);
    expect(noToken.body).toEqual(envelopeError('UNAUTHORIZED'));
    const badToken = await app.req('GET', '/api/incidents', { token: 'not-a-token' });
    expect(badToken.status).toBe(401);
    expect(badToken.body.code).toBe('UNAUTHORIZED');

    expect((await app.req('GET', '/api/incidents', { token: viewer.token })).status).toBe(200);
    const forbidden = await create({ title: 'viewer' }, viewer.token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual(envelopeError('FORBIDDEN', 'role "viewer" may not incidents write'));

    const invalid = await create({ title: '', severity: 'P9', colour: 'red' });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toEqual(envelopeError('VALIDATION_ERROR', /title.*severity: must be one of P1, P2, P3, P4, P5|severity.*title/));
    const empty = await patch((await create({ title: 'empty patch' })).body.data.id, {});
    expect(empty.status).toBe(422);
    expect(empty.body.error).toMatch(/at least one field/);
    const notJson = await app.req('POST', '/api/incidents', { token: member.token, rawBody: '{"title":', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(422);
    expect(notJson.text).not.toMatch(/at .*\.ts:\d+/);

    const notFound = await app.req('PATCH', '/api/incidents/INC-77777777', { token: member.token, body: { status: 'open' } });
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual(envelopeError('NOT_FOUND', 'incident INC-77777777 not found'));
  });

  it('refuses an x-tenant-id that is not the token\'s tenant, and accepts its own', async () => {
    const other = await app.factories.tenant();
    const own = await app.req('GET', '/api/incidents', { token: member.token, headers: { 'x-tenant-id': member.tenantId } });
    expect(own.status).toBe(200);
    for (const named of [other.id, other.slug]) {
      const res = await app.req('GET', '/api/incidents', { token: member.token, headers: { 'x-tenant-id': named } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(envelopeError('FORBIDDEN', /x-tenant-id .* is not the tenant of this credential/));
      const post = await app.req('POST', '/api/incidents', { token: member.token, headers: { 'x-tenant-id': named }, body: { title: 'x' } });
      expect(post.status).toBe(403);
    }
    const listed = await app.req('GET', '/api/incidents', { token: other.adminToken });
    expect(listed.body.data.items.some((i: any) => i.title === 'x')).toBe(false);
  });

  it('answers QUOTA_EXCEEDED (402) past the tenant\'s unresolved-incident quota, without using up a reference', async () => {
    const tenant = await app.factories.tenant();
    const platform = { ...tenant.adminActor, isPlatformAdmin: true };
    await app.core.tenants.updateQuotas(platform, { max_incidents: 2 });
    const a = await create({ title: 'one' }, tenant.adminToken);
    await create({ title: 'two' }, tenant.adminToken);
    const over = await create({ title: 'three' }, tenant.adminToken);
    expect(over.status).toBe(402);
    expect(over.body).toEqual(envelopeError('QUOTA_EXCEEDED', /at most 2 unresolved incidents and has 2.*max_incidents/));
    // a fold into an unresolved incident is no new incident
    // resolving one frees its place; the next incident takes the very next number
    for (const status of ['open', 'acknowledged', 'investigating', 'resolved']) expect((await patch(a.body.data.id, { status }, tenant.adminToken)).status).toBe(200);
    const three = await create({ title: 'three' }, tenant.adminToken);
    expect(three.status).toBe(201);
    expect(three.body.data.reference).toBe('INC-00000003');
    const tenantJson = await app.req('GET', '/api/v1/tenant', { token: tenant.adminToken });
    expect(tenantJson.body).toMatchObject({ max_incidents: 2 });
  });
});
