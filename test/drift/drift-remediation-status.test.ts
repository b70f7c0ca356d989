import { describe, expect, it } from 'vitest';
import { viewRemediation, type Remediation } from '../../src/core/drift/drift-remediation.js';
import type { Run } from '../../src/core/runs/run.model.js';

const entry = (runId: string | null, failure: string | null = null) => ({ projectName: runId ?? 'x', dir: runId ?? 'x', workspace: 'default', runId, failure, driftBefore: null });
const remediation = (action: 'plan' | 'apply', ...projects: ReturnType<typeof entry>[]): Remediation => ({
  id: 'r', tenantId: 't', repoFullName: 'acme/infra', ref: 'main', action, driftOnly: false, actorName: 'ci', projects, startedAt: new Date('2026-12-01T10:00:00Z'),
});
const run = (id: string, status: Run['status'], extra: Partial<Run> = {}) =>
  ({ id, status, hasChanges: true, resourcesAdded: 0, resourcesChanged: 1, resourcesDestroyed: 0, resourcesImported: 0, summary: 'Plan: 0 to add, 1 to change, 0 to destroy.', resourceDrift: [], error: null, statusReason: null, finishedAt: null, ...extra }) as Run;
const runs = (...list: Run[]) => new Map(list.map((r) => [r.id, r]));

describe('a remediation\'s status, derived from its runs (atlantis-api.md Status Values)', () => {
  it('pending while every run waits, running once one runs', () => {
    expect(viewRemediation(remediation('plan', entry('a'), entry('b')), runs(run('a', 'pending'), run('b', 'pending'))).status).toBe('pending');
    expect(viewRemediation(remediation('plan', entry('a'), entry('b')), runs(run('a', 'planning'), run('b', 'pending'))).status).toBe('running');
  });

  it('an apply waiting for approval is pending, awaiting approval; applied is success with nothing left', () => {
    const waiting = viewRemediation(remediation('apply', entry('a')), runs(run('a', 'planned')));
    expect(waiting).toMatchObject({ status: 'pending', completedAt: null, projects: [{ status: 'pending', awaitingApproval: true }] });
    const finishedAt = new Date('2026-12-01T10:05:00Z');
    const done = viewRemediation(remediation('apply', entry('a')), runs(run('a', 'applied', { finishedAt })));
    expect(done).toMatchObject({ status: 'success', completedAt: finishedAt, successCount: 1, projects: [{ status: 'success', driftAfter: { toChange: 0, summary: 'Apply completed successfully' } }] });
  });

  it('partial when some failed, failed when all did, naming each failure', () => {
    const mixed = viewRemediation(remediation('plan', entry('a'), entry('b')), runs(run('a', 'planned_and_finished'), run('b', 'errored', { error: 'Error: bad thing' })));
    expect(mixed).toMatchObject({ status: 'partial', successCount: 1, failureCount: 1, projects: [{ status: 'success' }, { status: 'failed', error: 'Error: bad thing' }] });
    const none = viewRemediation(remediation('plan', entry(null, 'This project is currently locked by an unapplied plan from pull #3.')), runs());
    expect(none).toMatchObject({ status: 'failed', failureCount: 1, projects: [{ status: 'failed', error: 'This project is currently locked by an unapplied plan from pull #3.' }] });
  });
});
