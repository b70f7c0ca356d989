import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseApplyOutput, parsePlanOutput, summarizeCounts } from '../../../src/core/terraform/plan-parser.js';
import { parseShowJson } from '../../../src/core/terraform/show-json.js';

/** Real terraform 1.11.4 output: test/fixtures/terraform (copied from the shared fixtures) (see its README.md). */
const FIXTURES = new URL('../../fixtures/terraform/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const counts = (add: number, change: number, destroy: number, imp = 0, forget = 0) =>
  ({ toAdd: add, toChange: change, toDestroy: destroy, toImport: imp, toForget: forget });
describe('parseApplyOutput', () => {
  it.each([
    ['apply.txt', { added: 3, changed: 0, destroyed: 0, imported: 0, forgotten: 0 }, 'Apply complete! Resources: 3 added, 0 changed, 0 destroyed.'],
    ['apply-import.txt', { added: 0, changed: 0, destroyed: 0, imported: 1, forgotten: 0 }, 'Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.'],
    ['destroy.txt', { added: 0, changed: 0, destroyed: 4, imported: 0, forgotten: 0 }, 'Apply complete! Resources: 0 added, 0 changed, 4 destroyed.'],
  ])('%s', (file, expected, summary) => {
    expect(parseApplyOutput(fixture(file))).toEqual({ ...expected, summary });
  });

  it('reads `terraform destroy` and forget wording', () => {
    expect(parseApplyOutput('Destroy complete! Resources: 4 destroyed.\n')).toEqual({
      added: 0, changed: 0, destroyed: 4, imported: 0, forgotten: 0, summary: 'Destroy complete! Resources: 4 destroyed.',
    });
    expect(parseApplyOutput('Apply complete! Resources: 0 added, 0 changed, 0 destroyed, 2 forgotten.')).toMatchObject({ forgotten: 2 });
  });

  it('sums several completion lines', () => {
    const text = 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.\nApply complete! Resources: 2 imported, 0 added, 1 changed, 3 destroyed.\n';
    expect(parseApplyOutput(text)).toEqual({
      added: 1, changed: 1, destroyed: 3, imported: 2, forgotten: 0, summary: 'Apply complete! Resources: 2 imported, 1 added, 1 changed, 3 destroyed.',
    });
  });

  it.each([['plan-error.txt', fixture('plan-error.txt')], ['empty', ''], ['a plan', fixture('plan-create.txt')]])(
    'is all null when the apply never completed (%s)', (_name, text) => {
      expect(parseApplyOutput(text)).toEqual({ added: null, changed: null, destroyed: null, imported: null, forgotten: null, summary: null });
    },
  );
});

describe('summarizeCounts', () => {
  it.each([
    [counts(0, 0, 0), 'Plan: 0 to add, 0 to change, 0 to destroy.'],
    [counts(2, 1, 2), 'Plan: 2 to add, 1 to change, 2 to destroy.'],
    [counts(0, 0, 0, 1), 'Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.'],
    [counts(1, 0, 0, 0, 3), 'Plan: 1 to add, 0 to change, 0 to destroy, 3 to forget.'],
    [counts(1, 2, 3, 4, 5), 'Plan: 4 to import, 1 to add, 2 to change, 3 to destroy, 5 to forget.'],
  ])('%j → %s', (input, expected) => expect(summarizeCounts(input)).toBe(expected));
});

describe('show -json says what terraform printed, on each real scenario', () => {
  it.each([
    ['plan-create.txt', 'plan-create.json'],
    ['plan-update.txt', 'show-plan-update.json'],
    ['plan-import.txt', 'show-plan-import.json'],
    ['plan-destroy.txt', 'show-plan-destroy.json'],
    ['refresh-only-drift.txt', 'refresh-only-drift.json'],
    ['aws-plan-with-drift.txt', 'aws-show-plan-with-drift.json'],
    ['aws-refresh-only-drift.txt', 'aws-refresh-only-drift.json'],
  ])('%s ≡ %s', (text, json) => {
    const fromJson = parseShowJson(fixture(json));
    // terraform's own verdict, word for word (its sentence may wrap over lines)
    expect(fixture(text).replace(/\s+/g, ' ')).toContain(fromJson.summary.replace(/\.$/, ''));
  });

  it('the human normal plan hides drift that its JSON still lists', () => {
    expect(fixture('aws-plan-with-drift.txt')).not.toMatch(/^Note: Objects have changed outside of Terraform$/m);
    expect(parseShowJson(fixture('aws-show-plan-with-drift.json')).changesOutside).toBe(true);
  });
});

describe('parsePlanOutput', () => {
  // A run answers with these before `terraform show -json` has run: they must be what show -json says later.
  it.each([
    ['plan-create.txt', 'plan-create.json'],
    ['plan-update.txt', 'show-plan-update.json'],
    ['plan-import.txt', 'show-plan-import.json'],
    ['plan-destroy.txt', 'show-plan-destroy.json'],
    ['aws-plan-with-drift.txt', 'aws-show-plan-with-drift.json'],
    ['aws-refresh-only-drift.txt', 'aws-refresh-only-drift.json'],
    ['refresh-only-drift.txt', 'refresh-only-drift.json'],
  ])('%s agrees with %s', (text, json) => {
    const fromJson = parseShowJson(fixture(json));
    const { summary, toAdd, toChange, toDestroy, toImport, toForget } = fromJson;
    expect(parsePlanOutput(fixture(text))).toEqual({ summary, toAdd, toChange, toDestroy, toImport, toForget });
  });

  it('reads a plan without changes, and forget counts', () => {
    expect(parsePlanOutput(fixture('plan-nochanges.txt'))).toEqual({ ...counts(0, 0, 0), summary: 'No changes. Your infrastructure matches the configuration.' });
    expect(parsePlanOutput('Plan: 1 to import, 2 to add, 0 to change, 1 to destroy, 3 to forget.\n')).toEqual({
      ...counts(2, 0, 1, 1, 3), summary: 'Plan: 1 to import, 2 to add, 0 to change, 1 to destroy, 3 to forget.',
    });
  });
});
