import { z } from 'zod';
import { RunResource } from '../../api/openapi/resources.js';
import { runJson } from '../../api/presenters/runs.js';
import { RUN_STATUSES } from '../../core/runs/run-status.js';
import { defineTool, READ_ONLY } from '../tool.js';
import { runLine } from './run-text.js';

export const listRunsTool = defineTool({
  name: 'list_runs',
  title: 'List runs',
  description: 'Lists runs (plans and applies) of your tenant, newest first, optionally by status or project. ' +
    'Use it to find a run id; page on with next_cursor. Each run has its status, counts and who started it.',
  input: z.object({
    status: z.array(z.enum(RUN_STATUSES)).max(10).optional().describe('only these statuses, e.g. ["planned"] for runs waiting to be applied'),
    project_id: z.string().uuid().optional().describe('only runs of this registered project (id from list_projects)'),
    limit: z.number().int().min(1).max(50).default(20),
    cursor: z.string().min(1).max(200).optional().describe('next_cursor of the previous page'),
  }),
  output: z.object({ runs: z.array(RunResource), next_cursor: z.string().nullable() }),
  annotations: READ_ONLY,
  async run({ core, actor }, args) {
    const list = await core.runs.list(actor, { status: args.status, projectId: args.project_id, limit: args.limit, offset: 0, cursor: args.cursor });
    const runs = list.runs.map(runJson);
    const text = `${runs.length} run(s)${runs.length ? ':\n' + runs.map(runLine).join('\n') : '.'}${list.nextCursor ? `\nMore: cursor ${list.nextCursor}` : ''}`;
    return { structured: { runs, next_cursor: list.nextCursor }, text };
  },
});
