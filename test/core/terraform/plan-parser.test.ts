import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import {
  DRIFT_SENTENCE, NO_CHANGES_SENTENCE, OUTPUTS_ONLY_SENTENCE, parseApplyOutput, parseJsonStream, parsePlanOutput, summarizeCounts,
} from '../../../src/core/terraform/plan-parser.js';
import { parseShowJson } from '../../../src/core/terraform/show-json.js';

/** Real terraform 1.11.4 output: test/fixtures/terraform (copied from the shared fixtures) (see its README.md). */
const FIXTURES = new URL('../../fixtures/terraform/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const counts = (add: number, change: number, destroy: number, imp = 0, forget = 0) =>
  ({ toAdd: add, toChange: change, toDestroy: destroy, toImport: imp, toForget: forget });
const countsOf = (s: { toAdd: number; toChange: number; toDestroy: number; toImport: number; toForget: number }) =>
  counts(s.toAdd, s.toChange, s.toDestroy, s.toImport, s.toForget);

describe('parsePlanOutput on real terraform output', () => {
  it.each([
    ['plan-create.txt', counts(3, 0, 0), 'Plan: 3 to add, 0 to change, 0 to destroy.'],
    ['plan-create-automation.txt', counts(3, 0, 0), 'Plan: 3 to add, 0 to change, 0 to destroy.'],
    ['plan-update.txt', counts(2, 1, 2), 'Plan: 2 to add, 1 to change, 2 to destroy.'],
    ['plan-import.txt', counts(0, 0, 0, 1), 'Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.'],
    ['plan-destroy.txt', counts(0, 0, 4), 'Plan: 0 to add, 0 to change, 4 to destroy.'],
    ['plan-after-oob-edit.txt', counts(0, 1, 0), 'Plan: 0 to add, 1 to change, 0 to destroy.'],
    ['aws-plan-with-drift.txt', counts(0, 1, 0), 'Plan: 0 to add, 1 to change, 0 to destroy.'],
  ])('%s: counts and summary as terraform printed them', (file, expected, summary) => {
    const plan = parsePlanOutput(fixture(file));
    expect(countsOf(plan)).toEqual(expected);
    expect(plan).toMatchObject({ summary, hasChanges: true, noChanges: false, outputsOnly: false, changesOutside: false, errors: [] });
  });

  it('plan-nochanges.txt: no changes', () => {
    expect(parsePlanOutput(fixture('plan-nochanges.txt'))).toEqual({
      ...counts(0, 0, 0), hasChanges: false, noChanges: true, changesOutside: false, outputsOnly: false, summary: NO_CHANGES_SENTENCE, errors: [],
    });
  });

  it('refresh-only-drift.txt: output changes only still count as changes', () => {
    expect(parsePlanOutput(fixture('refresh-only-drift.txt'))).toEqual({
      ...counts(0, 0, 0), hasChanges: true, noChanges: false, changesOutside: false, outputsOnly: true, summary: OUTPUTS_ONLY_SENTENCE, errors: [],
    });
  });

  it('aws-refresh-only-drift.txt: the "changed outside of Terraform" section is drift', () => {
    expect(parsePlanOutput(fixture('aws-refresh-only-drift.txt'))).toEqual({
      ...counts(0, 0, 0), hasChanges: true, noChanges: false, changesOutside: true, outputsOnly: true, summary: DRIFT_SENTENCE, errors: [],
    });
  });

  it('plan-error.txt: a failed plan has neither changes nor "no changes", and names the error', () => {
    expect(parsePlanOutput(fixture('plan-error.txt'))).toEqual({
      ...counts(0, 0, 0), hasChanges: false, noChanges: false, changesOutside: false, outputsOnly: false, summary: null, errors: ['Invalid operand'],
    });
  });
});

describe('parsePlanOutput on other shapes of output', () => {
  it.each([
    'No changes. Your infrastructure still matches the configuration.',
    'No changes. No objects need to be destroyed.',
    'No changes. Infrastructure is up-to-date.',
  ])('recognizes %j', (sentence) => {
    const plan = parsePlanOutput(`\n${sentence}\n\nTerraform has compared your real infrastructure…\n`);
    expect(plan).toMatchObject({ noChanges: true, hasChanges: false, summary: sentence });
  });

  it('sums several Plan: lines (terragrunt) and words the total like terraform', () => {
    const text = [
      'Plan: 1 to add, 0 to change, 0 to destroy.',
      'No changes. Your infrastructure matches the configuration.',
      'Plan: 2 to import, 0 to add, 3 to change, 1 to destroy.',
      'Plan: 0 to add, 0 to change, 1 to destroy, 2 to forget.',
    ].join('\n');
    const plan = parsePlanOutput(text);
    expect(countsOf(plan)).toEqual(counts(1, 3, 2, 2, 2));
    expect(plan).toMatchObject({ hasChanges: true, noChanges: false, summary: 'Plan: 2 to import, 1 to add, 3 to change, 2 to destroy, 2 to forget.' });
  });

  it('does not count a resource attribute that contains a Plan: sentence', () => {
    const text = [
      '  # terraform_data.note will be created',
      '  + resource "terraform_data" "note" {',
      '      + input = <<-EOT',
      '            Plan: 9 to add, 9 to change, 9 to destroy.',
      '        EOT',
      '    }',
      '',
      'Plan: 1 to add, 0 to change, 0 to destroy.',
    ].join('\n');
    expect(countsOf(parsePlanOutput(text))).toEqual(counts(1, 0, 0));
  });

  it('a normal plan whose drift needs no action has no changes, but reports the drift', () => {
    const text = 'Note: Objects have changed outside of Terraform\n\n  # x has changed\n\nNo changes. Your infrastructure matches the configuration.\n';
    expect(parsePlanOutput(text)).toMatchObject({ noChanges: true, hasChanges: false, changesOutside: true, summary: NO_CHANGES_SENTENCE });
  });

  it('a Plan: line with zero counts (moves or reads only) is still a change', () => {
    expect(parsePlanOutput('Plan: 0 to add, 0 to change, 0 to destroy.\n')).toMatchObject({
      hasChanges: true, noChanges: false, summary: 'Plan: 0 to add, 0 to change, 0 to destroy.',
    });
  });

  it('reads CRLF and colored output', () => {
    const text = '\x1b[1mPlan:\x1b[0m 1 to add, 2 to change, 3 to destroy.\r\n\x1b[31m│\x1b[0m \x1b[1m\x1b[31mError: \x1b[0m\x1b[1mboom\x1b[0m\r\n';
    const plan = parsePlanOutput(text);
    expect(countsOf(plan)).toEqual(counts(1, 2, 3));
    expect(plan.errors).toEqual(['boom']);
  });

  it('empty output yields nothing, without throwing', () => {
    expect(parsePlanOutput('')).toEqual({
      ...counts(0, 0, 0), hasChanges: false, noChanges: false, changesOutside: false, outputsOnly: false, summary: null, errors: [],
    });
  });
});

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

  it('round-trips through parsePlanOutput', () => {
    const c = counts(5, 4, 3, 2, 1);
    expect(countsOf(parsePlanOutput(summarizeCounts(c)))).toEqual(c);
  });
});

describe('text, show -json and -json stream agree on each real scenario', () => {
  it.each([
    ['plan-create.txt', 'plan-create.json'],
    ['plan-update.txt', 'show-plan-update.json'],
    ['plan-import.txt', 'show-plan-import.json'],
    ['plan-destroy.txt', 'show-plan-destroy.json'],
    ['refresh-only-drift.txt', 'refresh-only-drift.json'],
    ['aws-plan-with-drift.txt', 'aws-show-plan-with-drift.json'],
    ['aws-refresh-only-drift.txt', 'aws-refresh-only-drift.json'],
  ])('%s ≡ %s', (text, json) => {
    const fromText = parsePlanOutput(fixture(text));
    const fromJson = parseShowJson(fixture(json));
    expect(countsOf(fromJson)).toEqual(countsOf(fromText));
    expect(fromJson.summary).toBe(fromText.summary);
    expect(fromJson.hasChanges).toBe(fromText.hasChanges);
  });

  it.each([
    ['plan-json-stream.jsonl', 'plan-create.txt'],
    ['plan-nochanges-stream.jsonl', 'plan-nochanges.txt'],
    ['aws-plan-with-drift-stream.jsonl', 'aws-plan-with-drift.txt'],
  ])('%s counts ≡ %s', (stream, text) => {
    expect(countsOf(parseJsonStream(fixture(stream)).changeSummary!)).toEqual(countsOf(parsePlanOutput(fixture(text))));
  });

  it('the human normal plan hides drift that its JSON still lists', () => {
    expect(parsePlanOutput(fixture('aws-plan-with-drift.txt')).changesOutside).toBe(false);
    expect(parseShowJson(fixture('aws-show-plan-with-drift.json')).changesOutside).toBe(true);
  });
});

describe('parseJsonStream on real terraform -json output', () => {
  it('plan-json-stream.jsonl: summary and planned changes', () => {
    const stream = parseJsonStream(fixture('plan-json-stream.jsonl'));
    expect(stream.changeSummary).toEqual({ ...counts(3, 0, 0), operation: 'plan', summary: 'Plan: 3 to add, 0 to change, 0 to destroy.' });
    expect(stream.plannedChanges.map((c) => [c.address, c.action])).toEqual([
      ['terraform_data.web', 'create'], ['terraform_data.db', 'create'], ['terraform_data.cache', 'create'],
    ]);
    expect(stream).toMatchObject({ drift: [], diagnostics: [] });
  });

  it('apply-update-stream.jsonl: the last summary is the apply, and matches the saved plan', () => {
    const stream = parseJsonStream(fixture('apply-update-stream.jsonl'));
    expect(stream.changeSummary).toEqual({ ...counts(2, 1, 2), operation: 'apply', summary: 'Apply complete! Resources: 2 added, 1 changed, 2 destroyed.' });
    expect(stream.plannedChanges).toContainEqual({ address: 'terraform_data.db', type: 'terraform_data', name: 'db', action: 'replace', reason: 'cannot_update' });
    expect(countsOf(stream.changeSummary!)).toEqual(countsOf(parseShowJson(fixture('show-plan-update.json'))));
  });

  it.each([
    ['aws-plan-with-drift-stream.jsonl', counts(0, 1, 0), ['update']],
    ['aws-refresh-only-drift-stream.jsonl', counts(0, 0, 0), []],
  ])('%s: reports the resource_drift message', (file, expected, planned) => {
    const stream = parseJsonStream(fixture(file));
    expect(stream.drift).toEqual([{ address: 'aws_ssm_parameter.app_version', type: 'aws_ssm_parameter', name: 'app_version', action: 'update' }]);
    expect(countsOf(stream.changeSummary!)).toEqual(expected);
    expect(stream.plannedChanges.map((c) => c.action)).toEqual(planned);
  });

  it.each(['plan-nochanges-stream.jsonl', 'refresh-only-stream.jsonl'])('%s: zero counts, no drift', (file) => {
    const stream = parseJsonStream(fixture(file));
    expect(stream.changeSummary).toEqual({ ...counts(0, 0, 0), operation: 'plan', summary: 'Plan: 0 to add, 0 to change, 0 to destroy.' });
    expect(stream).toMatchObject({ plannedChanges: [], drift: [], diagnostics: [] });
  });

  it('plan-error-stream.jsonl: the error diagnostic, without the snippet', () => {
    const stream = parseJsonStream(fixture('plan-error-stream.jsonl'));
    expect(stream.changeSummary).toBeNull();
    expect(stream.diagnostics).toEqual([{
      severity: 'error',
      summary: 'Invalid operand',
      detail: 'Unsuitable value for right operand: a number is required.',
      range: { filename: 'main.tf', start: { line: 8, column: 22 }, end: { line: 8, column: 36 } },
    }]);
  });
});

describe('parseJsonStream on damaged input', () => {
  it('skips lines that are not terraform messages and keeps the rest', () => {
    const lines = fixture('plan-json-stream.jsonl').split('\n');
    const damaged = ['not json', '{"no_type": true}', '[1,2]', ...lines, lines[1].slice(0, 40)].join('\n');
    const stream = parseJsonStream(damaged);
    expect(countsOf(stream.changeSummary!)).toEqual(counts(3, 0, 0));
    expect(stream.plannedChanges).toHaveLength(3);
  });

  it('an empty stream (terraform never started) is an empty result', () => {
    expect(parseJsonStream('\n')).toEqual({ changeSummary: null, plannedChanges: [], drift: [], diagnostics: [] });
  });

  it('human output instead of -json is refused with what to pass', () => {
    expect(() => parseJsonStream(fixture('plan-create.txt'))).toThrow(InputError);
    expect(() => parseJsonStream(fixture('plan-create.txt'))).toThrow(/terraform plan -json/);
  });
});
