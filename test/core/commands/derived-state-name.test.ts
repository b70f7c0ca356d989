import { describe, expect, it } from 'vitest';
import { legacyDerivedStateName } from '../../../migrations/2026-12-01T010-unambiguous-state-names.js';
import { derivedStateName } from '../../../src/core/commands/derived-state-name.js';
import { parseStateRef } from '../../../src/core/state/state-ref.js';

const RULE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

describe('derivedStateName', () => {
  it.each([
    [['acme/infra.prod', 'vpc', ''], ['acme/infra', 'prod.vpc', '']],
    [['acme/infra', 'prod/vpc', ''], ['acme/infra', 'prod-vpc', '']],
    [['acme/infra', 'a', 'b'], ['acme/infra', 'a.b', '']],
    [['acme/infra', 'a b', ''], ['acme/infra', 'a-b', '']],
    [['acme/infra.prod', 'vpc', ''], ['acme/infra', 'prod/vpc', '']],
  ] as [string, string, string][][])('gives different names where the first form collided or nearly did: %j / %j', (a, b) => {
    expect(derivedStateName(...a)).not.toBe(derivedStateName(...b));
  });

  it('shows that the first form really collided on those pairs', () => {
    expect(legacyDerivedStateName('acme/infra.prod', 'vpc', '')).toBe(legacyDerivedStateName('acme/infra', 'prod.vpc', ''));
    expect(legacyDerivedStateName('acme/infra', 'prod/vpc', '')).toBe(legacyDerivedStateName('acme/infra', 'prod-vpc', ''));
  });

  it('stays readable: the first form, then a 12-character hash of the exact triple', () => {
    expect(derivedStateName('acme/infra', '.', '')).toMatch(/^acme\.infra\.root\.[0-9a-f]{12}$/);
    expect(derivedStateName('acme/infra', 'envs/prod', 'web')).toMatch(/^acme\.infra\.envs-prod\.web\.[0-9a-f]{12}$/);
    expect(derivedStateName('acme/infra', 'envs/prod', 'web')).toBe(derivedStateName('acme/infra', 'envs/prod', 'web'));
  });

  it('fits the state-name rule even for long, odd or hostile parts, and still tells them apart', () => {
    const long = 'x/'.repeat(300);
    const names = [
      derivedStateName('acme/infra', `${long}a`, ''), derivedStateName('acme/infra', `${long}b`, ''),
      derivedStateName('-._/infra', '...', '~~'), derivedStateName('acme/infra', '-'.repeat(100_000) + 'a', ''),
      derivedStateName('acme/ïnfra', 'dir with spaces/ünïcode', 'p~1'),
    ];
    for (const name of names) {
      expect(name).toMatch(RULE);
      expect(name.length).toBeLessThanOrEqual(200);
      expect(parseStateRef(name, 'default').name).toBe(name);
    }
    expect(names[0]).not.toBe(names[1]);
    expect(names[0].length).toBeGreaterThan(190); // cut to fit, not dropped
  });
});
