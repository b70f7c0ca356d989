import { describe, expect, it } from 'vitest';
import { scanJson } from '../../../src/core/state/json-scan.js';

/** What JSON.parse says of the same bytes: null when it throws, else the parsed value. */
function parsed(text: Buffer): { value: unknown } | null {
  try {
    return { value: JSON.parse(text.toString('utf8')) };
  } catch {
    return null;
  }
}

/** The scanner must accept exactly what JSON.parse accepts, and read the same top-level fields. */
function expectSameAsJsonParse(text: Buffer): void {
  const want = parsed(text);
  const got = scanJson(text, ['serial', 'lineage']);
  expect(got === null, `scan of ${JSON.stringify(text.toString('utf8'))}`).toBe(want === null);
  if (!want || !got) return;
  const isObject = !!want.value && typeof want.value === 'object' && !Array.isArray(want.value);
  expect(got.isObject).toBe(isObject);
  if (!isObject) return;
  const doc = want.value as Record<string, unknown>;
  for (const key of ['serial', 'lineage']) {
    const value = doc[key];
    if (value !== null && typeof value === 'object') expect(typeof got.fields.get(key)).toBe('symbol');
    else expect(got.fields.get(key)).toEqual(value);
  }
}

const STATE = JSON.stringify(
  {
    version: 4, terraform_version: '1.11.4', serial: 12, lineage: '2f4b6a52-6f3c',
    outputs: { s: { value: 'a "quoted" \\ back\tslash \u00e9 \ud83d\ude00 \u0001', type: 'string' }, n: { value: [-0.5e-3, 0, 1e21, true, false, null], type: ['list', 'number'] } },
    resources: [{ mode: 'managed', type: 'terraform_data', instances: [{ attributes: { nested: { deep: [[[{}]]], empty: [] } } }] }],
    check_results: null,
  },
  null,
  2,
);

describe('scanning a state body without parsing it', () => {
  it('agrees with JSON.parse on a state file, compact and indented, and on every prefix of it', () => {
    for (const text of [STATE, JSON.stringify(JSON.parse(STATE))]) {
      const buf = Buffer.from(text);
      expectSameAsJsonParse(buf);
      expect(scanJson(buf, ['serial', 'lineage'])!.fields).toEqual(new Map<string, unknown>([['serial', 12], ['lineage', '2f4b6a52-6f3c']]));
      for (let end = 0; end < buf.length; end++) expectSameAsJsonParse(buf.subarray(0, end));
    }
  });

  it('agrees with JSON.parse when any one byte of a state is changed', () => {
    const buf = Buffer.from(JSON.stringify(JSON.parse(STATE)));
    const replacements = [...'{}[]",:\\ 0-.eE+tfnu\n\t', '\u0000', '\u001f', 'x'].map((c) => c.charCodeAt(0));
    for (let at = 0; at < buf.length; at++) {
      for (const byte of replacements) {
        const copy = Buffer.from(buf);
        copy[at] = byte;
        expectSameAsJsonParse(copy);
      }
    }
  });

  it('agrees with JSON.parse on the corners of the grammar', () => {
    const cases = [
      '', ' ', '{}', '[]', '{ }', '[ ]', '{"serial":1,"lineage":"a"}', '{"serial":1,"serial":2,"lineage":"a"}',
      '{"\\u0073erial":3,"lineage":"\\u004c"}', '{"serial":{"x":1},"lineage":["a"]}', '{"serial":1.0,"lineage":"a"}',
      '{"a":{"serial":9},"serial":1,"lineage":"a"}', '1', '-', '-0', '01', '1.', '.1', '1e', '1e+', '1E-2', '0.0e0',
      '"a', '"\\x"', '"\\u12"', '"\\u12G4"', '"\\/"', 'tru', 'true', 'nul', 'null', 'falsey', '[1,]', '{"a":1,}', '[,1]',
      '{"a" 1}', '{"a":}', '{1:2}', '{"a":1 "b":2}', '[1 2]', '}', ']', '[}', '{]', '\ufeff{}', '{}x', '{} ', '\t\r\n{}\n',
      '"\t"', '"\u007f"', '[[[[[[[[[[]]]]]]]]]]', '[[[[[[[[[[]]]]]]]]]', '{"serial":1,"lineage":"a"}{}',
    ];
    for (const text of cases) expectSameAsJsonParse(Buffer.from(text));
    expectSameAsJsonParse(Buffer.from([0x22, 0xff, 0xfe, 0x22])); // invalid UTF-8 inside a string: JSON.parse reads U+FFFD
  });

  it('reads a view into a larger buffer, as a state body sliced from a request is', () => {
    const whole = Buffer.from(`xxxx{"serial":5,"lineage":"L"}yyyy`);
    expect(scanJson(whole.subarray(4, whole.length - 4), ['serial', 'lineage'])!.fields.get('serial')).toBe(5);
  });
});
