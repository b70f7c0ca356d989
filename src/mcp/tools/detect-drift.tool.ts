import { z } from 'zod';
import { DriftRecordResource } from '../../api/openapi/drift-resources.js';
import { driftRecordJson } from '../../api/presenters/drift.js';
import { DetectDriftInput, driftTargetsOf } from '../../core/drift/drift.schemas.js';
import { defineTool } from '../tool.js';
import { driftLine } from './drift-text.js';

export const detectDriftTool = defineTool({
  name: 'detect_drift',
  title: 'Detect drift',
  description: 'Starts a drift check (a refresh-only plan, then a plan, outside any pull request; nothing is changed) of one registered project, ' +
    'an environment\'s or an instance\'s projects, a repository, or (nothing given) every registered project. Returns at once with the records ' +
    '"checking"; poll drift_status until they are checked. A project a pull request has locked is skipped and named.',
  input: DetectDriftInput,
  output: z.object({ check_id: z.string().uuid(), records: z.array(DriftRecordResource), errors: z.array(z.object({ repository: z.string(), message: z.string() })) }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ core, actor }, args) {
    const started = await core.drift.begin(actor, driftTargetsOf(args));
    const records = started.records.map((r) => driftRecordJson(r));
    const text = `Drift check ${started.checkId} queued for ${records.length} project(s):\n${records.map(driftLine).join('\n')}` +
      (started.errors.length ? `\nNot checked: ${started.errors.map((e) => `${e.repository} (${e.message})`).join('; ')}` : '');
    return { structured: { check_id: started.checkId, records, errors: started.errors }, text };
  },
});
