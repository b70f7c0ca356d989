import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { DRIFT_SENTENCE, NO_CHANGES_SENTENCE, OUTPUTS_ONLY_SENTENCE } from '../../../src/core/terraform/plan-parser.js';
import { parseShowJson } from '../../../src/core/terraform/show-json.js';

/** Real `terraform show -json <planfile>` output of terraform 1.11.4: test/fixtures/terraform (copied from the shared fixtures). */
const FIXTURES = new URL('../../fixtures/terraform/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const counts = (add: number, change: number, destroy: number, imp = 0, forget = 0) =>
  ({ toAdd: add, toChange: change, toDestroy: destroy, toImport: imp, toForget: forget });
const data = (address: string, action: string) => ({ address, type: 'terraform_data', name: address.split('.')[1], actions: [action], action });
const ssmUpdate = { address: 'aws_ssm_parameter.app_version', type: 'aws_ssm_parameter', name: 'app_version', actions: ['update'], action: 'update' };
/** what the refresh found changed outside terraform: the attributes, by name */
const ssmDrift = { ...ssmUpdate, attributes: ['insecure_value', 'tags', 'version'], sensitiveAttributes: [] };

describe('parseShowJson on real plans', () => {
  it('plan-create.json: three creates, two new outputs', () => {
    expect(parseShowJson(fixture('plan-create.json'))).toEqual({
      ...counts(3, 0, 0), hasChanges: true, changesOutside: false, errored: false,
      summary: 'Plan: 3 to add, 0 to change, 0 to destroy.',
      resourceChanges: [data('terraform_data.cache', 'create'), data('terraform_data.db', 'create'), data('terraform_data.web', 'create')],
      resourceDrift: [],
      outputChanges: [{ name: 'db_id', action: 'create', sensitive: false }, { name: 'web', action: 'create', sensitive: false }],
    });
  });

  it('show-plan-update.json: replace counts once as add and once as destroy, with reasons', () => {
    const plan = parseShowJson(fixture('show-plan-update.json'));
    expect(plan).toMatchObject({ ...counts(2, 1, 2), hasChanges: true, summary: 'Plan: 2 to add, 1 to change, 2 to destroy.' });
    expect(plan.resourceChanges).toEqual([
      { ...data('terraform_data.cache', 'delete'), reason: 'delete_because_no_resource_config' },
      {
        address: 'terraform_data.db', type: 'terraform_data', name: 'db', actions: ['delete', 'create'], action: 'replace', reason: 'replace_because_cannot_update',
        attributes: ['id', 'output', 'triggers_replace'], sensitiveAttributes: [],
      },
      data('terraform_data.queue', 'create'),
      // an update names the attributes that change (input v1 → v2, output known after apply), never their values
      { ...data('terraform_data.web', 'update'), attributes: ['input', 'output'], sensitiveAttributes: [] },
    ]);
    expect(JSON.stringify(plan)).not.toMatch(/"v1"|"v2"|s3cr3t/);
    expect(plan.outputChanges).toEqual([
      { name: 'db_id', action: 'update', sensitive: false },
      { name: 'token', action: 'create', sensitive: true },
      { name: 'web', action: 'update', sensitive: false },
    ]);
  });

  it('never copies a value out of the plan (the sensitive output is in clear in the input)', () => {
    const raw = fixture('show-plan-update.json');
    expect(raw).toContain('s3cr3t');
    expect(JSON.stringify(parseShowJson(raw))).not.toContain('s3cr3t');
    expect(JSON.stringify(parseShowJson(fixture('plan-create.json')))).not.toContain('postgres');
  });

  it('show-plan-import.json: only the import is listed (no-ops are not), with its id', () => {
    expect(parseShowJson(fixture('show-plan-import.json'))).toEqual({
      ...counts(0, 0, 0, 1), hasChanges: true, changesOutside: false, errored: false,
      summary: 'Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.',
      resourceChanges: [{ ...data('terraform_data.imported', 'no-op'), action: 'import', importId: 'legacy-123' }],
      resourceDrift: [],
      outputChanges: [],
    });
  });

  it('show-plan-destroy.json: four deletes, every output removed', () => {
    const plan = parseShowJson(fixture('show-plan-destroy.json'));
    expect(plan).toMatchObject({ ...counts(0, 0, 4), hasChanges: true, summary: 'Plan: 0 to add, 0 to change, 4 to destroy.' });
    expect(plan.resourceChanges.map((c) => [c.address, c.action])).toEqual([
      ['terraform_data.db', 'delete'], ['terraform_data.imported', 'delete'], ['terraform_data.queue', 'delete'], ['terraform_data.web', 'delete'],
    ]);
    expect(plan.outputChanges).toEqual([
      { name: 'db_id', action: 'delete', sensitive: false },
      { name: 'token', action: 'delete', sensitive: true },
      { name: 'web', action: 'delete', sensitive: false },
    ]);
  });

  it('refresh-only-drift.json: no resource_changes key, an output change only, and that is a change', () => {
    expect(parseShowJson(fixture('refresh-only-drift.json'))).toEqual({
      ...counts(0, 0, 0), hasChanges: true, changesOutside: false, errored: false, summary: OUTPUTS_ONLY_SENTENCE,
      resourceChanges: [], resourceDrift: [], outputChanges: [{ name: 'web', action: 'update', sensitive: false }],
    });
  });

  it('aws-show-plan-with-drift.json: a normal plan lists the drift and the update that reverts it', () => {
    expect(parseShowJson(fixture('aws-show-plan-with-drift.json'))).toEqual({
      ...counts(0, 1, 0), hasChanges: true, changesOutside: true, errored: false,
      summary: 'Plan: 0 to add, 1 to change, 0 to destroy.',
      resourceChanges: [{ ...ssmUpdate, attributes: ['insecure_value', 'value'], sensitiveAttributes: ['value'] }],
      resourceDrift: [ssmDrift], outputChanges: [],
    });
  });

  it('aws-refresh-only-drift.json: drift and no resource changes', () => {
    expect(parseShowJson(fixture('aws-refresh-only-drift.json'))).toEqual({
      ...counts(0, 0, 0), hasChanges: true, changesOutside: true, errored: false, summary: DRIFT_SENTENCE,
      resourceChanges: [], resourceDrift: [ssmDrift], outputChanges: [{ name: 'app_version', action: 'update', sensitive: false }],
    });
  });

  it('accepts the already-parsed object', () => {
    expect(parseShowJson(JSON.parse(fixture('show-plan-update.json')) as object)).toEqual(parseShowJson(fixture('show-plan-update.json')));
  });
});

/** Entries shaped like terraform's, built by hand for cases the offline fixtures cannot produce. */
const entry = (address: string, actions: string[], extra: Record<string, unknown> = {}, change: Record<string, unknown> = {}) => ({
  address, mode: 'managed', type: address.split('.').at(-2), name: address.split('.').at(-1), ...extra,
  change: { actions, before: { password: 'hunter2' }, after: null, ...change },
});
const plan = (body: Record<string, unknown>) => ({ format_version: '1.2', planned_values: {}, ...body });

describe('parseShowJson on hand-built plans', () => {
  it('reads resource_drift in a module (an object deleted outside of Terraform) and counts only resource_changes', () => {
    const details = parseShowJson(plan({
      resource_drift: [entry('module.net.aws_vpc.main', ['delete'], { module_address: 'module.net' })],
      resource_changes: [entry('module.net.aws_vpc.main', ['create'], { module_address: 'module.net', action_reason: 'replace_because_tainted' })],
    }));
    expect(details.resourceDrift).toEqual([
      { address: 'module.net.aws_vpc.main', type: 'aws_vpc', name: 'main', moduleAddress: 'module.net', actions: ['delete'], action: 'delete' },
    ]);
    expect(details).toMatchObject({ ...counts(1, 0, 0), changesOutside: true, hasChanges: true, summary: 'Plan: 1 to add, 0 to change, 0 to destroy.' });
    expect(JSON.stringify(details)).not.toContain('hunter2');
  });

  it('drift that a normal plan does not act on is not a change', () => {
    const details = parseShowJson(plan({ resource_drift: [entry('aws_s3_bucket.logs', ['update'])], resource_changes: [entry('aws_s3_bucket.logs', ['no-op'])] }));
    expect(details).toMatchObject({ hasChanges: false, changesOutside: true, summary: NO_CHANGES_SENTENCE, resourceChanges: [] });
  });

  it('an empty plan has no changes', () => {
    expect(parseShowJson(plan({}))).toMatchObject({ ...counts(0, 0, 0), hasChanges: false, changesOutside: false, summary: NO_CHANGES_SENTENCE });
  });

  it('counts forget, create-then-forget, import with update; lists reads and moves; skips data-source deletes', () => {
    const details = parseShowJson(plan({
      resource_changes: [
        entry('aws_instance.old', ['forget']),
        entry('aws_instance.swap', ['create', 'forget']),
        entry('aws_instance.adopt', ['update'], {}, { importing: { id: 'i-123' } }),
        entry('aws_instance.plain', ['create', 'delete']),
        { ...entry('data.aws_ami.ubuntu', ['read']), mode: 'data', type: 'aws_ami', name: 'ubuntu' },
        { ...entry('data.aws_ami.gone', ['delete']), mode: 'data' },
        entry('aws_instance.renamed', ['no-op'], { previous_address: 'aws_instance.old_name' }),
        entry('aws_instance.same', ['no-op']),
      ],
    }));
    expect(details).toMatchObject({ ...counts(2, 1, 1, 1, 2), summary: 'Plan: 1 to import, 2 to add, 1 to change, 1 to destroy, 2 to forget.' });
    expect(details.resourceChanges.map((c) => [c.address, c.action, c.importId, c.previousAddress])).toEqual([
      ['aws_instance.old', 'forget', undefined, undefined],
      ['aws_instance.swap', 'replace', undefined, undefined],
      ['aws_instance.adopt', 'update', 'i-123', undefined],
      ['aws_instance.plain', 'replace', undefined, undefined],
      ['data.aws_ami.ubuntu', 'read', undefined, undefined],
      ['aws_instance.renamed', 'no-op', undefined, 'aws_instance.old_name'],
    ]);
  });

  it('a plan of only a move still has changes, worded as terraform does', () => {
    const details = parseShowJson(plan({ resource_changes: [entry('a_b.new', ['no-op'], { previous_address: 'a_b.old' })] }));
    expect(details).toMatchObject({ ...counts(0, 0, 0), hasChanges: true, summary: 'Plan: 0 to add, 0 to change, 0 to destroy.' });
  });

  it('reports an errored plan and nested sensitive markers', () => {
    const details = parseShowJson(plan({
      errored: true,
      output_changes: { creds: { actions: ['update'], before: { u: 'a', p: 'b' }, after: { u: 'a', p: 'c' }, after_sensitive: { p: true } } },
    }));
    expect(details).toMatchObject({ errored: true, outputChanges: [{ name: 'creds', action: 'update', sensitive: true }] });
  });
});

describe('parseShowJson refuses what it cannot read, saying what to fix', () => {
  it.each([
    ['truncated JSON', '{"format_version":"1.2","variables":{"db_password":{"value":"hunter2"', /not valid JSON \(\d+ characters\)/],
    ['an empty string', '', /not valid JSON \(empty\)/],
    ['a JSON array', '[]', /top level must be a JSON object/],
    ['null', 'null', /top level must be a JSON object/],
    ['state JSON', '{"format_version":"1.0","values":{"root_module":{}}}', /state JSON rather than a saved plan/],
    ['an unknown major format', '{"format_version":"2.0","planned_values":{}}', /format_version "2.0" is not supported/],
    ['resource_changes not a list', JSON.stringify(plan({ resource_changes: {} })), /resource_changes must be an array/],
    ['an entry without address', JSON.stringify(plan({ resource_changes: [{ change: { actions: ['create'] } }] })), /resource_changes\[0\]\.address/],
    ['an entry without actions', JSON.stringify(plan({ resource_drift: [{ address: 'a.b', change: {} }] })), /resource_drift\[0\]\.change\.actions must be/],
    ['an unknown action', JSON.stringify(plan({ resource_changes: [entry('a.b', ['explode'])] })), /\["explode"\] is not a known terraform action/],
    ['output_changes as a list', JSON.stringify(plan({ output_changes: [] })), /output_changes must be an object/],
  ])('%s', (_name, input, message) => {
    let thrown: unknown;
    try {
      parseShowJson(input);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).code).toBe('plan_json.invalid');
    expect((thrown as InputError).message).toMatch(message);
    expect((thrown as InputError).message).not.toContain('hunter2');
    expect((thrown as InputError).cause).toBeUndefined();
  });
});
