import { z } from 'zod';

/** Inputs of AtlasAI's observability endpoints (atlasai-api.txt "Observability"), over Atlantas's own data. */
export const LOG_SERVICES = ['runs', 'audit'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const METRIC_NAMES = ['runs_total', 'runs_failed_total', 'run_duration_seconds', 'applies_total', 'drift_detected_total', 'state_writes_total'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** The most points one series may have (end - start) / step. */
export const MAX_POINTS = 11_000;

const Instant = (name: string) =>
  z.iso.datetime({ offset: true, message: `${name} must be an ISO 8601 date-time with a zone, e.g. 2026-04-01T00:00:00Z` }).transform((v) => new Date(v));

export const LogsQuery = z.object({
  service: z.enum(LOG_SERVICES, { message: `service must be one of ${LOG_SERVICES.join(', ')} (runs: terraform output; audit: who did what)` }).optional(),
  level: z.enum(LOG_LEVELS, { message: `level must be one of ${LOG_LEVELS.join(', ')}` }).optional().describe('the lowest level returned'),
  from: Instant('from').optional(),
  to: Instant('to').optional(),
  run_id: z.string().uuid('run_id must be a run id (UUID)').optional(),
  limit: z.coerce.number().int().min(1, 'limit must be at least 1').max(1000, 'limit must be at most 1000').default(100),
});
export type LogsQuery = z.infer<typeof LogsQuery>;

/** `60s`, `5m`, `1h`, `1d`, or a number of seconds. */
const Step = z
  .string()
  .trim()
  .regex(/^\d+(s|m|h|d)?$/, 'step must be a duration such as 60s, 5m, 1h or 1d')
  .transform((v) => {
    const n = Number.parseInt(v, 10);
    const unit = v.replace(/^\d+/, '') || 's';
    return n * { s: 1, m: 60, h: 3600, d: 86_400 }[unit as 's' | 'm' | 'h' | 'd'];
  })
  .refine((s) => s >= 1, 'step must be at least 1s');

export const MetricsQuery = z
  .object({
    metric_name: z.enum(METRIC_NAMES, { message: `metric_name must be one of ${METRIC_NAMES.join(', ')}` }),
    start: Instant('start').optional(),
    end: Instant('end').optional(),
    step: Step.default(3600).describe('seconds per point, or 60s / 5m / 1h / 1d'),
  })
  .transform((q) => {
    const end = q.end ?? new Date();
    const start = q.start ?? new Date(end.getTime() - 86_400_000);
    return { ...q, start, end };
  })
  .superRefine((q, ctx) => {
    if (q.end <= q.start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must be after start' });
    else if ((q.end.getTime() - q.start.getTime()) / 1000 / q.step > MAX_POINTS) {
      ctx.addIssue({ code: 'custom', path: ['step'], message: `that is more than ${MAX_POINTS} points: use a larger step or a shorter range` });
    }
  });
export type MetricsQuery = z.infer<typeof MetricsQuery>;

export const TracesQuery = z.object({
  service: z.string().trim().min(1).max(255).optional().describe('a project name or a repository (owner/repo)'),
  from: Instant('from').optional(),
  to: Instant('to').optional(),
  status: z.string().trim().min(1).max(40).optional(),
  limit: z.coerce.number().int().min(1, 'limit must be at least 1').max(200, 'limit must be at most 200').default(50),
});
export type TracesQuery = z.infer<typeof TracesQuery>;
