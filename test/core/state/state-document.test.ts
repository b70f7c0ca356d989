import { describe, expect, it } from 'vitest';
import { identify, md5Hex, parseStateDocument, stateOutputs } from '../../../src/core/state/state-document.js';

/** A state file as terraform 1.11 writes it (format 4), with the output shapes it produces. */
const STATE = {
  version: 4,
  terraform_version: '1.11.4',
  serial: 12,
  lineage: '2f4b6a52-6f3c-1b8e-5d0f-1c2d3e4f5a6b',
  outputs: {
    vpc_id: { value: 'vpc-0abc', type: 'string' },
    subnet_ids: { value: ['subnet-1', 'subnet-2'], type: ['list', 'string'] },
    db: { value: { host: 'db.internal', port: 5432 }, type: ['object', { host: 'string', port: 'number' }] },
    db_password: { value: 'hunter2', type: 'string', sensitive: true },
  },
  resources: [],
  check_results: null,
};

describe('state documents', () => {
  it('reads serial, lineage and the MD5 of the exact bytes', () => {
    const body = Buffer.from(JSON.stringify(STATE, null, 2));
    expect(identify(body)).toEqual({ serial: 12, lineage: STATE.lineage, md5: md5Hex(body) });
    expect(md5Hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('lists root outputs sorted by name, marking sensitive ones and keeping types', () => {
    expect(stateOutputs(parseStateDocument(JSON.stringify(STATE)))).toEqual([
      { name: 'db', value: { host: 'db.internal', port: 5432 }, type: ['object', { host: 'string', port: 'number' }], sensitive: false },
      { name: 'db_password', value: 'hunter2', type: 'string', sensitive: true },
      { name: 'subnet_ids', value: ['subnet-1', 'subnet-2'], type: ['list', 'string'], sensitive: false },
      { name: 'vpc_id', value: 'vpc-0abc', type: 'string', sensitive: false },
    ]);
    expect(stateOutputs({})).toEqual([]);
    expect(stateOutputs({ outputs: { n: { value: null } } })).toEqual([{ name: 'n', value: null, type: null, sensitive: false }]);
  });

  it('refuses bodies that are not a state, saying what a state looks like', () => {
    const cases: [string, RegExp][] = [
      ['', /not valid JSON/],
      ['{"serial": 1,', /not valid JSON/],
      ['[1,2]', /not a JSON object/],
      ['null', /not a JSON object/],
      ['{"lineage":"x"}', /"serial" must be a non-negative integer/],
      ['{"serial":-1,"lineage":"x"}', /"serial" must be a non-negative integer/],
      ['{"serial":1.5,"lineage":"x"}', /"serial" must be a non-negative integer/],
      ['{"serial":"3","lineage":"x"}', /"serial" must be a non-negative integer/],
      ['{"serial":1}', /"lineage" must be a non-empty string/],
      ['{"serial":1,"lineage":""}', /"lineage" must be a non-empty string/],
    ];
    for (const [body, message] of cases) {
      expect(() => parseStateDocument(body), body).toThrow(message);
      expect(() => parseStateDocument(body), body).toThrow(/send the state file terraform writes/);
    }
    expect(parseStateDocument('{"serial":0,"lineage":"x"}').serial).toBe(0);
  });
});
