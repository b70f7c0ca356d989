import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { copyDir, encodeSegment } from '../../../src/core/terraform/copy-path.js';

const root = '/data/repos';
const loc = { tenantId: 't1', repoFullName: 'Acme/Infra', key: 'pr-12', workspace: 'default' };

describe('copyDir', () => {
  it('lays copies out as <root>/<tenant>/<owner>/<repo>/<key>/<workspace>, repo names lower-cased', () => {
    expect(copyDir(root, loc)).toBe(path.join(root, 't1', 'acme', 'infra', 'pr-12', 'default'));
    expect(copyDir(root, { ...loc, workspace: undefined })).toBe(path.join(root, 't1', 'acme', 'infra', 'pr-12'));
  });

  it('refuses anything that could escape the root, naming the field', () => {
    const bad = [
      { ...loc, repoFullName: '../etc' },
      { ...loc, repoFullName: 'acme/../../x' },
      { ...loc, repoFullName: 'acme/infra/extra' },
      { ...loc, repoFullName: 'acme/..' },
      { ...loc, key: '..' },
      { ...loc, key: '../../x' },
      { ...loc, key: 'a\\b' },
      { ...loc, workspace: '.' },
      { ...loc, workspace: 'a/b' },
      { ...loc, tenantId: '' },
      { ...loc, tenantId: 'x\0' },
    ];
    for (const b of bad) expect(() => copyDir(root, b), JSON.stringify(b)).toThrow(InputError);
    expect(() => copyDir(root, { ...loc, key: '../x' })).toThrow(/key "..\/x" is not allowed/);
  });

  it('encodes other characters so distinct names never share a directory', () => {
    expect(encodeSegment('a;b*c')).toBe('a%3Bb%2Ac');
    expect(encodeSegment('.hidden')).toBe('%2Ehidden');
    expect(encodeSegment('a%3B')).not.toBe(encodeSegment('a;'));
    expect(copyDir(root, { ...loc, workspace: 'prod;rm -rf' })).toBe(path.join(root, 't1', 'acme', 'infra', 'pr-12', 'prod%3Brm%20-rf'));
  });
});
