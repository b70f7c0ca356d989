import { describe, expect, it } from 'vitest';
import { atlantisCommandResult } from '../../../src/api/presenters/atlantis-command.js';
import { runResult } from '../../../src/bot/github/project-results.js';
import type { Run } from '../../../src/core/runs/run.model.js';
import { runOutcome } from '../../../src/core/runs/run-outcome.js';
import { RUN_STATUSES, type RunStatus } from '../../../src/core/runs/run-status.js';

const run = (status: RunStatus, extra: Partial<Run> = {}): Run =>
  ({
    id: '00000000-0000-4000-8000-000000000001', status, projectName: 'app', dir: 'app', workspace: 'default', extraArgs: [],
    error: null, statusReason: null, hasChanges: true, resourcesAdded: 1, resourcesChanged: 0, resourcesDestroyed: 0, resourcesImported: 0,
    summary: 'Plan: 1 to add, 0 to change, 0 to destroy.', resourceChanges: [], resourceDrift: [], ...extra,
  }) as Run;

describe('runOutcome: one classification of a run for every surface', () => {
  it('a planned run is a success of a plan but a failure of an apply (it waits for approval)', () => {
    expect(runOutcome('plan', run('planned'))).toEqual({ status: 'success' });
    expect(runOutcome('apply', run('planned'))).toMatchObject({ status: 'failure', failure: expect.stringContaining('waiting for approval') });
  });

  it('errored is an error with terraform\'s message; canceled and discarded are failures with the reason', () => {
    expect(runOutcome('apply', run('errored', { error: 'Error: boom' }))).toEqual({ status: 'error', error: 'Error: boom' });
    expect(runOutcome('plan', run('discarded', { statusReason: 'superseded' }))).toEqual({ status: 'failure', failure: 'superseded' });
    expect(runOutcome('plan', run('canceled'))).toEqual({ status: 'failure', failure: 'the run was canceled' });
  });

  it('a run still going is an error that says where to follow it', () => {
    expect(runOutcome('apply', run('applying'))).toMatchObject({ status: 'error', error: expect.stringContaining('/events') });
  });

  it('the PR comment and the Atlantis API agree on every status', async () => {
    const apiStatus = { success: 'success', failure: 'failed', error: 'error' } as const;
    for (const command of ['plan', 'apply'] as const) {
      for (const status of RUN_STATUSES) {
        const r = run(status);
        const comment = runResult(command, r, '');
        const api = atlantisCommandResult(command, { batchId: 'b', commitSha: 'c', results: [{ target: { ...r, repoFullName: 'a/b', repoUrl: '', ref: 'main', commitSha: 'c' }, run: r }] }, new Map([[r.id, r]]), new Map());
        expect(api.projects[0].status, `${command} of a ${status} run`).toBe(apiStatus[comment.status]);
      }
    }
  });
});
