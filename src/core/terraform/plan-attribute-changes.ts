/**
 * The changed attributes of each resource in `terraform show -json` output, with before and after
 * values, for a reviewer (a person or an AI agent) who must see what a plan does without reading
 * the whole plan. Values terraform marks sensitive (`before_sensitive` / `after_sensitive`,
 * nested too) are replaced by a marker and never copied; values known only after apply say so.
 * Sizes are bounded so one huge attribute cannot flood the reader. Pure: no I/O.
 */
export const SENSITIVE = '(sensitive value)';
export const KNOWN_AFTER_APPLY = '(known after apply)';
const MAX_ATTRIBUTES = 100;
const MAX_VALUE_CHARS = 2000;

export interface AttributeChange {
  /** the top-level attribute name */
  name: string;
  before: unknown;
  after: unknown;
}

type Json = Record<string, unknown>;

/** address → the attributes whose values differ; resources with no such attribute map to []. */
export function attributeChanges(showJson: string | object): Map<string, AttributeChange[]> {
  const plan = (typeof showJson === 'string' ? JSON.parse(showJson) : showJson) as Json;
  const out = new Map<string, AttributeChange[]>();
  for (const entry of (plan.resource_changes as Json[] | undefined) ?? []) {
    const change = (entry.change ?? {}) as Json;
    if (typeof entry.address === 'string') out.set(entry.address, diff(change));
  }
  return out;
}

function diff(c: Json): AttributeChange[] {
  const before = asObject(c.before);
  const after = asObject(c.after);
  const unknown = asObject(c.after_unknown);
  const names = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)])].sort();
  const changes: AttributeChange[] = [];
  for (const name of names) {
    const isUnknown = unknown[name] === true;
    if (!isUnknown && JSON.stringify(before[name] ?? null) === JSON.stringify(after[name] ?? null)) continue;
    changes.push({
      name,
      before: bounded(redact(before[name] ?? null, asMark(c.before_sensitive, name))),
      after: isUnknown ? KNOWN_AFTER_APPLY : bounded(redact(after[name] ?? null, asMark(c.after_sensitive, name))),
    });
    if (changes.length >= MAX_ATTRIBUTES) break;
  }
  return changes;
}

/** A value with every part its sensitivity mark covers replaced by the marker. */
function redact(value: unknown, mark: unknown): unknown {
  if (mark === true) return SENSITIVE;
  if (!mark || typeof mark !== 'object' || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v, i) => redact(v, (mark as unknown[])[i]));
  return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, redact(v, (mark as Json)[k])]));
}

function bounded(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text !== undefined && text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters, truncated)` : value;
}

function asObject(v: unknown): Json {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

function asMark(marks: unknown, name: string): unknown {
  return asObject(marks)[name];
}
