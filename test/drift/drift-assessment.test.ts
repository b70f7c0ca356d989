import { describe, expect, it } from 'vitest';
import { assessDrift, fingerprintOf } from '../../src/core/drift/drift-assessment.js';
import type { Run } from '../../src/core/runs/run.model.js';

/** A finished speculative run with what terraform reported; the rest of a run does not matter here. */
function run(values: Partial<Run>): Run {
  return {
    id: values.operation === 'refresh' ? 'refresh-run' : 'plan-run', status: 'planned_and_finished', hasChanges: false, commitSha: 'c0ffee',
    resourcesAdded: 0, resourcesChanged: 0, resourcesDestroyed: 0, resourcesImported: 0, summary: 'No changes. Your infrastructure matches the configuration.',
    resourceChanges: [], resourceDrift: [], statusReason: null, ...values,
  } as Run;
}

// The shape terraform's aws samples have (shared/fixtures/terraform/aws-*): a parameter edited in the console.
const ssmDrift = { address: 'aws_ssm_parameter.app_version', action: 'update', attributes: ['insecure_value', 'tags', 'version'], sensitiveAttributes: [] };
const ssmRevert = { address: 'aws_ssm_parameter.app_version', action: 'update', attributes: ['insecure_value', 'value'], sensitiveAttributes: ['value'] };

describe('assessDrift', () => {
  it('tells changes made outside terraform (the refresh) from what applying the code would do (the plan)', () => {
    const refresh = run({ operation: 'refresh', hasChanges: true, resourceDrift: [ssmDrift], summary: 'Objects have changed outside of Terraform.' });
    const plan = run({ operation: 'plan', hasChanges: true, resourcesChanged: 1, summary: 'Plan: 0 to add, 1 to change, 0 to destroy.', resourceChanges: [ssmRevert], resourceDrift: [ssmDrift] });
    expect(assessDrift(refresh, plan)).toMatchObject({
      status: 'checked', hasDrift: true, changesOutside: true, pendingCodeChanges: true, commitSha: 'c0ffee',
      counts: { toAdd: 0, toChange: 1, toDestroy: 0, toImport: 0 }, summary: 'Plan: 0 to add, 1 to change, 0 to destroy.',
      details: { changesOutside: [ssmDrift], pendingCodeChanges: [ssmRevert] }, // listed once though both plans report the drift
    });
  });

  it('is drift when only the refresh found something (an attribute terraform ignores changed)', () => {
    const a = assessDrift(run({ operation: 'refresh', hasChanges: true, resourceDrift: [ssmDrift] }), run({ operation: 'plan' }));
    expect(a).toMatchObject({ status: 'checked', hasDrift: true, changesOutside: true, pendingCodeChanges: false, summary: 'Objects have changed outside of Terraform.' });
  });

  it('is no drift when both plans are clean', () => {
    expect(assessDrift(run({ operation: 'refresh' }), run({ operation: 'plan' }))).toMatchObject({ status: 'checked', hasDrift: false, changesOutside: false, pendingCodeChanges: false });
  });

  it('is an error, naming the run and why, when either run did not finish its plan', () => {
    const failed = run({ operation: 'plan', status: 'errored', hasChanges: null, statusReason: 'terraform plan failed' });
    expect(assessDrift(run({ operation: 'refresh' }), failed)).toEqual({ status: 'errored', reason: 'the plan (run plan-run) ended errored: terraform plan failed', commitSha: 'c0ffee' });
    const canceled = run({ operation: 'refresh', status: 'canceled', hasChanges: null });
    expect(assessDrift(canceled, canceled)).toMatchObject({ status: 'errored', reason: 'the refresh-only plan (run refresh-run) ended canceled' });
  });

  it('fingerprints the same drift the same whatever order terraform listed it in, and different drift differently', () => {
    const counts = { toAdd: 0, toChange: 2, toDestroy: 0, toImport: 0 };
    const a = { address: 'a', action: 'update', attributes: ['x', 'y'], sensitiveAttributes: [] };
    const b = { address: 'b', action: 'update', attributes: ['z'], sensitiveAttributes: [] };
    const one = fingerprintOf({ changesOutside: [], pendingCodeChanges: [a, b] }, counts);
    expect(fingerprintOf({ changesOutside: [], pendingCodeChanges: [b, { ...a, attributes: ['y', 'x'] }] }, counts)).toBe(one);
    expect(fingerprintOf({ changesOutside: [], pendingCodeChanges: [a, { ...b, attributes: ['w'] }] }, counts)).not.toBe(one);
    expect(fingerprintOf({ changesOutside: [a], pendingCodeChanges: [b] }, counts)).not.toBe(one);
  });
});
