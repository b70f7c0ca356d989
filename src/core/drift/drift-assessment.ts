import { createHash } from 'node:crypto';
import { DRIFT_SENTENCE } from '../terraform/plan-parser.js';
import type { ResourceChangeSummary, Run } from '../runs/run.model.js';
import type { DriftCounts, DriftDetails, DriftedResource } from './drift-record.js';

/**
 * What the two runs of a drift check say, pure: the refresh-only plan (what changed outside
 * terraform) and the normal plan at the same commit (what applying the code would change — the
 * way back, and code not yet applied). `terraform_data` never drifts on refresh, so a state
 * edited behind terraform's back shows up only in the normal plan, as a pending change.
 */
export type DriftAssessment =
  | {
      status: 'checked'; hasDrift: boolean; counts: DriftCounts; summary: string; details: DriftDetails;
      changesOutside: boolean; pendingCodeChanges: boolean; fingerprint: string; commitSha: string;
    }
  | { status: 'errored'; reason: string; commitSha: string | null };

const FINISHED_PLAN = ['planned_and_finished', 'planned'];

export function assessDrift(refresh: Run, plan: Run): DriftAssessment {
  for (const [label, run] of [['refresh-only plan', refresh], ['plan', plan]] as const) {
    if (!FINISHED_PLAN.includes(run.status) || run.hasChanges === null) {
      const why = run.statusReason ? `: ${run.statusReason}` : '';
      return { status: 'errored', reason: `the ${label} (run ${run.id}) ended ${run.status}${why}`, commitSha: run.commitSha || null };
    }
  }
  const outside = mergeByAddress(refresh.resourceDrift ?? [], plan.resourceDrift ?? []);
  const pending = (plan.resourceChanges ?? []).filter((c) => c.action !== 'no-op').map(resource);
  const counts = { toAdd: plan.resourcesAdded ?? 0, toChange: plan.resourcesChanged ?? 0, toDestroy: plan.resourcesDestroyed ?? 0, toImport: plan.resourcesImported ?? 0 };
  const changesOutside = outside.length > 0 || refresh.hasChanges === true;
  const pendingCodeChanges = pending.length > 0 || plan.hasChanges === true;
  const summary = !plan.hasChanges && changesOutside ? DRIFT_SENTENCE : (plan.summary ?? '');
  const details = { changesOutside: outside, pendingCodeChanges: pending };
  return {
    status: 'checked', hasDrift: changesOutside || pendingCodeChanges, counts, summary, details, changesOutside, pendingCodeChanges,
    fingerprint: fingerprintOf(details, counts), commitSha: plan.commitSha,
  };
}

/** The same drift gives the same fingerprint, whatever order terraform listed it in. */
export function fingerprintOf(details: DriftDetails, counts: DriftCounts): string {
  const canon = (list: DriftedResource[]) =>
    list.map((r) => [r.address, r.action, [...r.attributes].sort()]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const text = JSON.stringify({ o: canon(details.changesOutside), p: canon(details.pendingCodeChanges), c: counts });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function mergeByAddress(first: ResourceChangeSummary[], second: ResourceChangeSummary[]): DriftedResource[] {
  const seen = new Map<string, DriftedResource>();
  for (const c of [...first, ...second]) if (!seen.has(c.address)) seen.set(c.address, resource(c));
  return [...seen.values()];
}

function resource(c: ResourceChangeSummary): DriftedResource {
  return { address: c.address, action: c.action, attributes: c.attributes ?? [], sensitiveAttributes: c.sensitiveAttributes ?? [] };
}
