import { describe, expect, it } from 'vitest';
import { DetectDriftInput, DriftDetectInput, driftTargetsOf } from '../../src/core/drift/drift.schemas.js';

describe('drift inputs', () => {
  it('turns a chat or agent request into the targets core checks', () => {
    expect(driftTargetsOf(DetectDriftInput.parse({}))).toEqual({ kind: 'all' });
    expect(driftTargetsOf(DetectDriftInput.parse({ project: 'vpc' }))).toEqual({ kind: 'project', project: 'vpc' });
    expect(driftTargetsOf(DetectDriftInput.parse({ repository: 'acme/infra' }))).toEqual({ kind: 'repository', repository: 'acme/infra', ref: 'main' });
    const both = DetectDriftInput.safeParse({ project: 'vpc', repository: 'acme/infra' });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0].message).toMatch(/at most one of project, environment, instance or repository/);
  });

  it('refuses an Atlantis detect without its required fields, in Atlantis\'s words', () => {
    const missing = DriftDetectInput.safeParse({ ref: 'main', type: 'Github' });
    expect(missing.error?.issues.map((i) => i.message)).toEqual(['missing required parameter: repository']);
    const gitlab = DriftDetectInput.safeParse({ repository: 'acme/infra', ref: 'main', type: 'Gitlab' });
    expect(gitlab.error?.issues.map((i) => i.message)).toEqual(['unsupported VCS type "Gitlab"; Atlantas works with Github']);
    expect(DriftDetectInput.safeParse({ repository: '../etc', ref: 'main', type: 'Github' }).success).toBe(false);
  });
});
