import { stringify } from 'csv-stringify/sync';
import type { BillingRecord } from '../../core/billing/billing.service.js';

export const billingRecordJson = (r: BillingRecord) => ({
  period_start: r.periodStart, period_end: r.periodEnd, current: r.current,
  resources: r.resources, changes: r.changes, applies: r.applies, amount_cents: r.amountCents,
});

/** The spec's summary of the month still running. */
export const billingCurrentJson = (r: BillingRecord) => ({
  current_resources: r.resources, current_changes: r.changes, current_applies: r.applies, current_amount_cents: r.amountCents,
  period_start: r.periodStart, period_end: r.periodEnd,
});

const CSV_COLUMNS = ['period_start', 'period_end', 'resources', 'changes', 'applies', 'amount_cents', 'current'] as const;

/** One row per month with a header, RFC 4180 (CRLF line ends, as spreadsheets expect). */
export function billingCsv(records: BillingRecord[]): string {
  const rows = records.map(billingRecordJson);
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows', cast: { boolean: (v) => (v ? 'true' : 'false') } });
}
