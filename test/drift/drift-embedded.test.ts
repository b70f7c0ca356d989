import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const headers = { 'x-atlantis-token': 'embedded-drift-secret' };

/** The embedded database has one connection: a check's transactions must never wait on a query outside them. */
describe('drift on the embedded database', () => {
  let app: TestApp;
  let repo: BareRepo;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'solo' });
    await repo.commitFiles({ 'main.tf': tfData(3) }, 'three resources, none applied');
    app = await startTestApp({ embedded: true, env: { ATLANTAS_API_SECRET: headers['x-atlantis-token'] }, childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  it('detects, stores and reports drift', async () => {
    const res = await app.req('POST', '/api/drift/detect', { headers, body: { repository: 'acme/solo', ref: 'main', type: 'Github', paths: [{ directory: '.' }] } });
    expect(res.status).toBe(200);
    expect(res.body.data.projects).toEqual([expect.objectContaining({ directory: '.', has_drift: true, drift: expect.objectContaining({ to_add: 3, total_changes: 3 }) })]);
    const status = await app.req('GET', '/api/drift/status?repository=acme/solo');
    expect(status.body.data.summary).toEqual({ total_projects: 1, projects_with_drift: 1, projects_without_drift: 0, projects_with_errors: 0 });
  });

  it('checks every discovered project when neither projects nor paths are given', async () => {
    await repo.commitFiles({ 'extra/main.tf': tfData(1) }, 'a second root module');
    const res = await app.req('POST', '/api/drift/detect', { headers, body: { repository: 'acme/solo', ref: 'main', type: 'Github' } });
    expect(res.status).toBe(200);
    expect(res.body.data.projects.map((p: any) => [p.directory, p.drift?.to_add])).toEqual([['.', 3], ['extra', 1]]);
  });
});
