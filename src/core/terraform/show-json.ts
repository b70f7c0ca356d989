import { InputError } from '../errors.js';
import { DRIFT_SENTENCE, NO_CHANGES_SENTENCE, OUTPUTS_ONLY_SENTENCE, emptyCounts, summarizeCounts, totalCounted } from './plan-parser.js';
import type { PlanCounts } from './plan-parser.js';

/**
 * Reads `terraform show -json <planfile>` (format 1.x). Pure: no I/O. The plan JSON holds
 * sensitive values in clear, so nothing here copies a value: only addresses, actions and
 * names leave this module, and errors never quote the input.
 */

export type ResourceAction = 'create' | 'update' | 'delete' | 'replace' | 'import' | 'read' | 'forget' | 'no-op';

export interface ResourceChange {
  address: string;
  type: string;
  name: string;
  moduleAddress?: string;
  /** Set when a `moved` block changed the address. */
  previousAddress?: string;
  /** Terraform's own `change.actions`, e.g. `["delete","create"]`. */
  actions: string[];
  action: ResourceAction;
  /** `action_reason`, e.g. `replace_because_cannot_update`. */
  reason?: string;
  /** The id from `change.importing`, when the resource is being imported. */
  importId?: string;
  /**
   * An update's or replace's changed top-level attributes, by name only (before ≠ after, or
   * known only after apply); `sensitiveAttributes` names those among them terraform marks sensitive.
   */
  attributes?: string[];
  sensitiveAttributes?: string[];
}

export interface OutputChange {
  name: string;
  action: ResourceAction;
  sensitive: boolean;
}

export interface PlanDetails extends PlanCounts {
  hasChanges: boolean;
  /** The plan lists `resource_drift`: refreshed objects differ from the stored state. */
  changesOutside: boolean;
  /** Terraform could not finish the plan; it cannot be applied. */
  errored: boolean;
  summary: string;
  /** What apply would do; no-op entries are left out unless they import or move. */
  resourceChanges: ResourceChange[];
  /** What changed outside of Terraform (from `resource_drift`), same shape. */
  resourceDrift: ResourceChange[];
  /** Root outputs whose value would change (no-op left out); values are never copied. */
  outputChanges: OutputChange[];
}

type Json = Record<string, unknown>;

const ACTIONS: Record<string, ResourceAction> = {
  'no-op': 'no-op',
  create: 'create',
  read: 'read',
  update: 'update',
  delete: 'delete',
  'delete,create': 'replace',
  'create,delete': 'replace',
  forget: 'forget',
  'create,forget': 'replace',
};

export function parseShowJson(input: string | object): PlanDetails {
  const plan = toPlanObject(input);
  // Terraform neither shows nor counts no-ops (unless imported or moved) and data-source deletes.
  const entries = readEntries(plan, 'resource_changes').filter(
    (e) => !(e.mode === 'data' && e.change.action === 'delete') && (e.change.action !== 'no-op' || e.change.previousAddress !== undefined),
  );
  const resourceChanges = entries.map((e) => e.change);
  const resourceDrift = readEntries(plan, 'resource_drift').map((e) => e.change);
  const outputChanges = readOutputs(plan).filter((o) => o.action !== 'no-op');
  const counts = countChanges(entries);
  // Refresh-only plans carry no resource_changes at all; there, drift alone is something to apply.
  const refreshOnly = plan.resource_changes === undefined;
  const driftToRecord = refreshOnly && resourceDrift.length > 0;
  let summary = NO_CHANGES_SENTENCE;
  if (resourceChanges.length > 0) summary = summarizeCounts(counts);
  else if (driftToRecord) summary = DRIFT_SENTENCE;
  else if (outputChanges.length > 0) summary = OUTPUTS_ONLY_SENTENCE;
  return {
    ...counts,
    hasChanges: resourceChanges.length > 0 || outputChanges.length > 0 || driftToRecord,
    changesOutside: resourceDrift.length > 0,
    errored: plan.errored === true,
    summary,
    resourceChanges,
    resourceDrift,
    outputChanges,
  };
}

/** add = create + each replace; change = update; destroy = delete + each replace. */
function countChanges(entries: Entry[]): PlanCounts {
  const counts = emptyCounts();
  for (const { importing, change: { actions } } of entries) {
    if (actions.includes('create')) counts.toAdd += 1;
    if (actions.includes('update')) counts.toChange += 1;
    if (actions.includes('delete')) counts.toDestroy += 1;
    if (actions.includes('forget')) counts.toForget += 1;
    if (importing) counts.toImport += 1;
  }
  return counts;
}

function toPlanObject(input: string | object): Json {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      // The parser's message quotes the input, and plan JSON holds secrets: say what, not where.
      throw new InputError(
        `terraform show -json output is not valid JSON (${input.trim() === '' ? 'empty' : `${input.length} characters`}); ` +
          'pass the complete stdout of `terraform show -json <planfile>`',
        { code: 'plan_json.invalid' },
      );
    }
  }
  if (!isObject(value)) throw invalid('the top level must be a JSON object');
  const version = value.format_version;
  if (typeof version === 'string' && !version.startsWith('1.')) {
    throw invalid(`format_version ${JSON.stringify(version.slice(0, 20))} is not supported (expected 1.x)`);
  }
  const planKeys = ['planned_values', 'resource_changes', 'resource_drift', 'output_changes'];
  if (!planKeys.some((k) => k in value)) {
    throw invalid('it has none of planned_values, resource_changes, output_changes; is this state JSON rather than a saved plan?');
  }
  return value;
}

interface Entry {
  mode: string;
  importing: boolean;
  change: ResourceChange;
}

function readEntries(plan: Json, key: 'resource_changes' | 'resource_drift'): Entry[] {
  const list = plan[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalid(`${key} must be an array`);
  return list.map((raw, i) => readEntry(raw, `${key}[${i}]`));
}

function readEntry(raw: unknown, where: string): Entry {
  if (!isObject(raw)) throw invalid(`${where} must be an object`);
  if (typeof raw.address !== 'string' || raw.address === '') throw invalid(`${where}.address must be a non-empty string`);
  const change = isObject(raw.change) ? raw.change : undefined;
  const actions = readActions(change?.actions, `${where}.change.actions`);
  let action = ACTIONS[actions.join(',')];
  if (action === undefined) throw invalid(`${where}.change.actions ${JSON.stringify(actions)} is not a known terraform action`);
  const importing = isObject(change?.importing) ? change.importing : undefined;
  if (importing && action === 'no-op') action = 'import';
  return {
    mode: typeof raw.mode === 'string' ? raw.mode : 'managed',
    importing: importing !== undefined,
    change: {
      address: raw.address,
      type: str(raw.type) ?? '',
      name: str(raw.name) ?? '',
      ...optional('moduleAddress', str(raw.module_address)),
      ...optional('previousAddress', str(raw.previous_address)),
      actions,
      action,
      ...optional('reason', str(raw.action_reason)),
      ...optional('importId', str(importing?.id)),
      ...(action === 'update' || action === 'replace' ? changedAttributes(change ?? {}) : {}),
    },
  };
}

/** Which attributes an update changes: names compared by their JSON; no value leaves this function. */
function changedAttributes(change: Json): { attributes: string[]; sensitiveAttributes: string[] } {
  const before = isObject(change.before) ? change.before : {};
  const after = isObject(change.after) ? change.after : {};
  const unknown = isObject(change.after_unknown) ? change.after_unknown : {};
  const names = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)])].sort();
  const attributes = names.filter((k) => unknown[k] === true || JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
  const marked = (side: unknown, k: string) => isObject(side) && marksSensitive(side[k]);
  const sensitiveAttributes = attributes.filter((k) => marked(change.before_sensitive, k) || marked(change.after_sensitive, k));
  return { attributes, sensitiveAttributes };
}

function readActions(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((a) => typeof a === 'string')) {
    throw invalid(`${where} must be a non-empty array of strings`);
  }
  return value as string[];
}

function readOutputs(plan: Json): OutputChange[] {
  const outputs = plan.output_changes;
  if (outputs === undefined || outputs === null) return [];
  if (!isObject(outputs)) throw invalid('output_changes must be an object keyed by output name');
  return Object.entries(outputs).map(([name, raw]) => {
    const change = isObject(raw) ? raw : {};
    const actions = readActions(change.actions, `output_changes.${name}.actions`);
    const action = ACTIONS[actions.join(',')];
    if (action === undefined) throw invalid(`output_changes.${name}.actions ${JSON.stringify(actions)} is not a known terraform action`);
    return { name, action, sensitive: marksSensitive(change.before_sensitive) || marksSensitive(change.after_sensitive) };
  });
}

/** `*_sensitive` is `true`, or a structure of the value's shape with `true` where sensitive. */
function marksSensitive(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(marksSensitive);
  if (isObject(value)) return Object.values(value).some(marksSensitive);
  return false;
}

function invalid(problem: string): InputError {
  return new InputError(`terraform show -json output is not a plan this parser understands: ${problem}`, { code: 'plan_json.invalid' });
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
