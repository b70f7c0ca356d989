import { describe, expect, it } from 'vitest';
import { parseStateRef } from '../../../src/core/state/state-ref.js';

describe('parseStateRef', () => {
  it('accepts project-like names and Atlantis workspace names', () => {
    expect(parseStateRef('vpc-core', 'default')).toEqual({ name: 'vpc-core', workspace: 'default' });
    expect(parseStateRef('A1._-b', 'prod-eu.1')).toEqual({ name: 'A1._-b', workspace: 'prod-eu.1' });
    expect(parseStateRef('x'.repeat(200), 'w').name).toHaveLength(200);
  });

  it('names what is wrong with a bad name or workspace', () => {
    for (const name of ['', '-lead', '.hidden', 'a/b', '../etc', 'sp ace', 'x'.repeat(201), 'ümlaut']) {
      expect(() => parseStateRef(name, 'default'), name).toThrow(/state name .* is invalid: use 1-200 letters/);
    }
    expect(() => parseStateRef('ok', 'a/b')).toThrow(/workspace "a\/b" is invalid: it cannot contain '\/'/);
    expect(() => parseStateRef('ok', '..')).toThrow(/workspace .* is invalid/);
    expect(() => parseStateRef('ok', '')).toThrow(/cannot be empty/);
    expect(() => parseStateRef('ok', 'w'.repeat(201))).toThrow(/longer than 200/);
  });
});
