import { describe, expect, it } from 'vitest';
import { driftList } from '../../src/bot/slack/replies.js';
import type { DriftRecord } from '../../src/core/drift/drift-record.js';

const record = (values: Partial<DriftRecord>): DriftRecord => ({
  id: 'd', tenantId: 't', projectId: 'p', environmentId: null, repoFullName: 'acme/infra', dir: 'network', workspace: 'default', projectName: 'network', ref: 'main',
  commitSha: 'c', status: 'checked', reason: null, checkId: 'k', refreshRunId: 'r1', planRunId: 'r2', hasDrift: false, counts: { toAdd: 0, toChange: 0, toDestroy: 0, toImport: 0 },
  summary: null, changesOutside: false, pendingCodeChanges: false, details: null, fingerprint: null, episode: 0, notifiedFingerprint: null,
  lastCheckedAt: new Date('2026-12-03T08:00:00Z'), resolvedAt: null, resolvedBy: null, createdAt: new Date(), updatedAt: new Date(), ...values,
});

describe('/atlantas drift reply', () => {
  it('names each project, its drift and drifted resources, a clean one, and a skipped one with why', () => {
    const text = driftList([
      record({ hasDrift: true, summary: 'Plan: 0 to add, 1 to change, 0 to destroy.', details: { changesOutside: [], pendingCodeChanges: [{ address: 'terraform_data.r0', action: 'update', attributes: ['input'], sensitiveAttributes: [] }] } }),
      record({ projectName: 'app', dir: 'app' }),
      record({ projectName: 'edge', dir: 'edge', status: 'skipped', reason: 'skipped: locked by #7' }),
    ]);
    expect(text.split('\n')).toEqual([
      '*Drift*',
      ':warning: network — acme/infra network (default): Plan: 0 to add, 1 to change, 0 to destroy. terraform_data.r0, checked 2026-12-03T08:00:00.000Z',
      ':white_check_mark: app — acme/infra app (default): no drift, checked 2026-12-03T08:00:00.000Z',
      ':grey_question: edge — acme/infra edge (default): skipped: locked by #7',
    ]);
    expect(driftList([])).toBe('No drift checks yet.');
  });
});
