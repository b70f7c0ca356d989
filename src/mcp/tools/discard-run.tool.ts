import { z } from 'zod';
import { RunResource } from '../../api/openapi/resources.js';
import { runJson } from '../../api/presenters/runs.js';
import { defineTool } from '../tool.js';
import { RunId } from './get-run.tool.js';

export const discardRunTool = defineTool({
  name: 'discard_run',
  title: 'Discard a planned run',
  description: 'Throws away a planned run\'s plan so nobody can apply it, and releases the project lock it holds. Use it for a plan you no longer want.',
  input: z.object({ run_id: RunId }),
  output: RunResource,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ core, actor }, { run_id }) {
    const run = runJson(await core.runs.discard(actor, run_id));
    return { structured: run, text: `Run ${run.id} is ${run.status}.` };
  },
});
