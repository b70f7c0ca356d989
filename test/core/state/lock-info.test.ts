import { describe, expect, it } from 'vitest';
import { parseLockInfo } from '../../../src/core/state/lock-info.js';

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
