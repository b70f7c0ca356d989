import { z } from 'zod';

/** Response schemas of the v1 drift routes, as src/api/presenters/drift.ts renders them. */
const Timestamp = z.iso.datetime({ offset: true }).describe('ISO 8601 time');

const DriftedResource = z
  .object({
    address: z.string(), action: z.string(),
    attributes: z.array(z.string()).describe('changed top-level attributes, by name; values are never kept'),
    sensitive_attributes: z.array(z.string()).describe('those of `attributes` terraform marks sensitive'),
  })
  .meta({ id: 'DriftedResource' });

const DriftCheck = z.object({
  check_id: z.uuid(), status: z.string(), reason: z.string().nullable(), has_drift: z.boolean().nullable(), total_changes: z.number().int(),
  summary: z.string().nullable(), commit_sha: z.string().nullable(), refresh_run_id: z.uuid().nullable(), plan_run_id: z.uuid().nullable(), checked_at: Timestamp,
});

export const DriftRecordResource = z
  .object({
    id: z.uuid(), project_id: z.uuid().nullable(), environment_id: z.uuid().nullable(), repository: z.string(), directory: z.string(), workspace: z.string(),
    project_name: z.string(), ref: z.string(), commit_sha: z.string().nullable(),
    status: z.enum(['checking', 'checked', 'skipped', 'errored']), reason: z.string().nullable().describe('why a check was skipped (`skipped: locked by #12`) or errored'),
    has_drift: z.boolean().nullable(), to_add: z.number().int(), to_change: z.number().int(), to_destroy: z.number().int(), to_import: z.number().int(),
    total_changes: z.number().int(), summary: z.string().nullable(),
    drifted_resources: z.array(DriftedResource), changes_outside: z.array(DriftedResource).describe('changed outside terraform (refresh-only plan)'),
    pending_code_changes: z.array(DriftedResource).describe('what applying the code at the checked commit would change'),
    refresh_run_id: z.uuid().nullable(), plan_run_id: z.uuid().nullable(), last_checked_at: Timestamp.nullable(), resolved_at: Timestamp.nullable(), resolved_by: z.string().nullable(),
    history: z.array(DriftCheck).optional().describe('the latest checks, newest first (GET /api/v1/drift/{id})'),
  })
  .meta({ id: 'DriftRecord' });

export const DriftCheckStarted = z
  .object({ detail: z.literal('Drift check initiated'), environment_id: z.uuid(), check_id: z.uuid(), records: z.array(DriftRecordResource) })
  .meta({ id: 'DriftCheckStarted' });

export const DriftResolved = z
  .object({ detail: z.literal('Drift marked as resolved'), environment_id: z.uuid(), records: z.array(DriftRecordResource) })
  .meta({ id: 'DriftResolved' });
