import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/core/errors.js';
import { decidePush } from '../../../src/core/state/state-rules.js';

const current = { serial: 5, lineage: 'L', md5: 'aaa' };

describe('decidePush', () => {
  it('accepts any first version and any higher serial of the same lineage', () => {
    expect(decidePush(null, { serial: 42, lineage: 'X', md5: 'b' }, false)).toEqual({ kind: 'write', forced: false });
    expect(decidePush(null, { serial: 0, lineage: 'X', md5: 'b' }, false)).toEqual({ kind: 'write', forced: false });
    expect(decidePush(current, { serial: 6, lineage: 'L', md5: 'b' }, false)).toEqual({ kind: 'write', forced: false });
    expect(decidePush(current, { serial: 60, lineage: 'L', md5: 'b' }, true)).toEqual({ kind: 'write', forced: false });
  });

  it('answers a retry of the current version as unchanged', () => {
    expect(decidePush(current, { ...current }, false)).toEqual({ kind: 'unchanged' });
    expect(decidePush(current, { ...current }, true)).toEqual({ kind: 'unchanged' });
  });

  it('refuses a stale serial, a rewrite at the same serial and another lineage, each with its own code', () => {
    const refusal = (incoming: typeof current) => {
      try {
        decidePush(current, incoming, false);
      } catch (err) {
        expect(err).toBeInstanceOf(ConflictError);
        return (err as ConflictError).code;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal({ serial: 4, lineage: 'L', md5: 'b' })).toBe('state_serial_stale');
    expect(refusal({ serial: 5, lineage: 'L', md5: 'b' })).toBe('state_serial_conflict');
    expect(refusal({ serial: 9, lineage: 'M', md5: 'b' })).toBe('state_lineage_mismatch');
    expect(refusal({ serial: 5, lineage: 'M', md5: 'aaa' })).toBe('state_lineage_mismatch');
  });

  it('writes a forced version over any of those refusals, marked as forced', () => {
    for (const incoming of [{ serial: 4, lineage: 'L', md5: 'b' }, { serial: 5, lineage: 'L', md5: 'b' }, { serial: 1, lineage: 'M', md5: 'b' }]) {
      expect(decidePush(current, incoming, true)).toEqual({ kind: 'write', forced: true });
    }
  });
});
