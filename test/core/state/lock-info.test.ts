import { describe, expect, it } from 'vitest';
import { parseLockInfo } from '../../../src/core/state/lock-info.js';
import { parseStateRef } from '../../../src/core/state/state-ref.js';

describe('parseLockInfo', () => {
  it('keeps terraform\'s lock info as sent', () => {
    const sent = { ID: 'cc22c5e5-dc40-b4b4-6e2b-c9ffa7793d93', Operation: 'OperationTypePlan', Info: '', Who: 'root@vm', Version: '1.11.4', Created: '2026-11-22T11:30:28.012154153Z', Path: '' };
    expect(parseLockInfo(Buffer.from(JSON.stringify(sent)))).toEqual(sent);
    expect(parseLockInfo('{"ID":"x","Extra":1}')).toEqual({ ID: 'x', Extra: 1 });
  });

  it('refuses a body without a usable ID, with an example of a good one', () => {
    for (const body of ['', 'nope', '[]', '{}', '{"ID":""}', '{"ID":"  "}', '{"ID":7}', JSON.stringify({ ID: 'x'.repeat(257) })]) {
      expect(() => parseLockInfo(body), body).toThrow(/lock body .*; send terraform's lock info, e\.g\. \{"ID"/);
    }
    expect(() => parseLockInfo(JSON.stringify({ ID: 'x', Info: 'y'.repeat(70_000) }))).toThrow(/larger than/);
  });
});

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
