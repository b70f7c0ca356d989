import { requirePermission, type Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import type { BillingRepository, VersionRef } from './billing.repository.js';
import type { Encryptor } from '../secrets/encryption.js';
import { stateVersionAad } from '../state/state-version.model.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import { countManagedResources } from './managed-resources.js';

/** ATLANTAS_BILLING_PRICE_*, in cents. */
export interface BillingPrices {
  /** per managed resource in the tenant's states at the end of the month (now, for the current month) */
  resourceCents: number;
  /** per resource added, changed or destroyed by an applied run that month */
  changeCents: number;
  /** per tenant per month */
  baseCents: number;
}

export const DEFAULT_BILLING_PRICES: BillingPrices = { resourceCents: 50, changeCents: 0, baseCents: 0 };

export interface BillingRecord {
  /** first and last day of the month, YYYY-MM-DD (UTC) */
  periodStart: string;
  periodEnd: string;
  /** the month still running: its figures are as of now */
  current: boolean;
  resources: number;
  changes: number;
  applies: number;
  amountCents: number;
}

/** Versions are immutable, so a version's count never changes: remembered by id, up to this many. */
const COUNT_CACHE_MAX = 10_000;

/**
 * A tenant's bill, month by month, computed each time from what is recorded — never from a
 * counter that could drift: managed resources from the state versions current at the month's
 * end (terraform's own state: `mode: managed` instances), changes from the counts of the runs
 * applied that month, priced by ATLANTAS_BILLING_PRICE_*. A state deleted is no longer billed.
 */
export class BillingService {
  private readonly counts = new Map<string, number>();

  constructor(private readonly deps: { repo: BillingRepository; encryptor: Encryptor; tenants: TenantsService; clock: Clock; prices: BillingPrices }) {}

  /** Every month since the tenant was created, newest first. */
  async records(actor: Actor): Promise<BillingRecord[]> {
    requirePermission(actor, 'billing:read');
    const tenant = await this.deps.tenants.get(actor);
    const now = this.deps.clock.now();
    const months: Date[] = [];
    for (let m = monthStart(now); m >= monthStart(tenant.createdAt); m = addMonths(m, -1)) months.push(m);
    const records: BillingRecord[] = [];
    for (const start of months) records.push(await this.month(actor.tenantId, start, now));
    return records;
  }

  async current(actor: Actor): Promise<BillingRecord> {
    requirePermission(actor, 'billing:read');
    const now = this.deps.clock.now();
    return this.month(actor.tenantId, monthStart(now), now);
  }

  private async month(tenantId: string, start: Date, now: Date): Promise<BillingRecord> {
    const next = addMonths(start, 1);
    const current = next > now;
    const until = current ? now : next;
    const [resources, applied] = await Promise.all([this.resourcesAt(tenantId, until, current), this.deps.repo.appliedChanges(tenantId, start, until)]);
    const p = this.deps.prices;
    return {
      periodStart: day(start), periodEnd: day(new Date(next.getTime() - 86_400_000)), current,
      resources, changes: applied.changes, applies: applied.applies,
      amountCents: p.baseCents + resources * p.resourceCents + applied.changes * p.changeCents,
    };
  }

  /** Managed resources in the tenant's states: their current versions, or for a past month the last version written before its end. */
  private async resourcesAt(tenantId: string, until: Date, current: boolean): Promise<number> {
    const versions = current ? await this.deps.repo.currentVersions(tenantId) : await this.deps.repo.versionsBefore(tenantId, until);
    let total = 0;
    for (const v of versions) total += await this.countOf(v);
    return total;
  }

  private async countOf(v: VersionRef): Promise<number> {
    const known = this.counts.get(v.id);
    if (known !== undefined) return known;
    const sealed = await this.deps.repo.sealedVersion(v.id);
    const count = sealed ? countManagedResources(this.deps.encryptor.open(sealed, stateVersionAad(v.stateId, v.version))) : 0;
    if (this.counts.size >= COUNT_CACHE_MAX) this.counts.delete(this.counts.keys().next().value!);
    this.counts.set(v.id, count);
    return count;
  }
}

function monthStart(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

function addMonths(d: Date, n: number): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}
