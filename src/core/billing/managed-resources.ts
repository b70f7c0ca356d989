/**
 * How many resources a Terraform state manages: the instances of its `mode: "managed"`
 * resources (a `count = 3` resource is three; data sources are none). Pure.
 */
export function countManagedResources(state: Buffer | string): number {
  let doc: { resources?: { mode?: string; instances?: unknown[] }[] };
  try {
    doc = JSON.parse(typeof state === 'string' ? state : state.toString('utf8'));
  } catch {
    return 0;
  }
  if (!Array.isArray(doc?.resources)) return 0;
  return doc.resources.filter((r) => r?.mode === 'managed').reduce((n, r) => n + (Array.isArray(r.instances) ? r.instances.length : 0), 0);
}
