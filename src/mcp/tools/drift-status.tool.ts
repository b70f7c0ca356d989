import { z } from 'zod';
import { DriftRecordResource } from '../../api/openapi/drift-resources.js';
import { driftRecordJson } from '../../api/presenters/drift.js';
import { DriftStatusInput } from '../../core/drift/drift.schemas.js';
import { defineTool, READ_ONLY } from '../tool.js';
import { driftLine } from './drift-text.js';

export const driftStatusTool = defineTool({
  name: 'drift_status',
  title: 'Drift status',
  description: 'The latest drift check of each project and workspace of your tenant, from stored results (it runs nothing). ' +
    'has_drift says whether reality or unapplied code differs from the state; drifted_resources names the resources and their changed attributes (never values). ' +
    'To check again, call detect_drift.',
  input: DriftStatusInput,
  output: z.object({ records: z.array(DriftRecordResource) }),
  annotations: READ_ONLY,
  async run({ core, actor }, args) {
    const records = (await core.drift.list(actor, { projectName: args.project, repoFullName: args.repository, hasDrift: args.has_drift })).map((r) => driftRecordJson(r));
    return { structured: { records }, text: records.length ? records.map(driftLine).join('\n') : 'No drift records (nothing was checked yet, or nothing matches).' };
  },
});
