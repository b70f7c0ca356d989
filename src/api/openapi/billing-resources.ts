import { z } from 'zod';

const Day = z.string().describe('YYYY-MM-DD (UTC)');

export const BillingRecordResource = z
  .object({
    period_start: Day, period_end: Day, current: z.boolean().describe('the month still running: figures as of now'),
    resources: z.number().int().describe('managed resources in your states at the end of the month (now, for the current one)'),
    changes: z.number().int().describe('resources added, changed or destroyed by runs applied that month'),
    applies: z.number().int().describe('runs applied that month'),
    amount_cents: z.number().int().describe('base + resources × resource price + changes × change price (ATLANTAS_BILLING_PRICE_*)'),
  })
  .meta({ id: 'BillingRecord' });

export const BillingCurrentResource = z
  .object({
    current_resources: z.number().int(), current_changes: z.number().int(), current_applies: z.number().int(), current_amount_cents: z.number().int(),
    period_start: Day, period_end: Day,
  })
  .meta({ id: 'BillingCurrent' });
