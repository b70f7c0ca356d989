import { z } from 'zod';
import { RunResource } from '../../api/openapi/resources.js';
import { runJson } from '../../api/presenters/runs.js';
import { defineTool, READ_ONLY } from '../tool.js';
import { runLine } from './run-text.js';

export const RunId = z.string().trim().min(1).max(100).describe('a run id (from plan or list_runs)');

export const getRunTool = defineTool({
  name: 'get_run',
  title: 'Get a run',
  description: 'Shows one run: status (pending, planning, planned = waiting for apply, applying, applied, errored, …), change counts, ' +
    'who started and approved it. Poll it after plan or apply_run until the status settles; read get_plan for what it changes and get_run_logs for output.',
  input: z.object({ run_id: RunId }),
  output: RunResource,
  annotations: READ_ONLY,
  async run({ core, actor }, { run_id }) {
    const run = runJson(await core.runs.get(actor, run_id));
    return { structured: run, text: runLine(run).slice(2) + (run.status_reason ? `\n${run.status_reason}` : '') };
  },
});
