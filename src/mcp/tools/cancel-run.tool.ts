import { z } from 'zod';
import { RunResource } from '../../api/openapi/resources.js';
import { runJson } from '../../api/presenters/runs.js';
import { defineTool } from '../tool.js';
import { RunId } from './get-run.tool.js';

export const cancelRunTool = defineTool({
  name: 'cancel_run',
  title: 'Cancel a run',
  description: 'Cancels a queued, planned or running run; a running terraform is stopped gracefully (an apply stopped midway can leave resources half-changed).',
  input: z.object({ run_id: RunId }),
  output: RunResource,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run({ core, actor }, { run_id }) {
    const run = runJson(await core.runs.cancel(actor, run_id));
    return { structured: run, text: `Run ${run.id} is ${run.status}${run.status === 'canceled' ? '' : ' (stopping)'}.` };
  },
});
