import { z } from 'zod';
import { RunResource } from '../../api/openapi/resources.js';
import { runJson } from '../../api/presenters/runs.js';
import { CreateRunInput } from '../../core/runs/run.schemas.js';
import { defineTool } from '../tool.js';

/** REST's POST /api/v1/runs input; an agent's plan defaults to one it can later ask to apply. */
const PlanInput = CreateRunInput.safeExtend({
  command: z.enum(['plan', 'apply', 'destroy']).default('apply')
    .describe('apply (default): plan, then wait as "planned" until apply_run; destroy: a destroy plan that waits the same way; plan: a speculative plan nobody can apply'),
});

export const planTool = defineTool({
  name: 'plan',
  title: 'Plan a project',
  description: 'Starts a terraform plan of a registered project (or of repo + dir) at a branch, and returns the queued run. ' +
    'Planning changes nothing. Poll get_run until status is planned (changes to apply), planned_and_finished (no changes) or errored; ' +
    'then read get_plan. To apply, call apply_run with the run id and your reason.',
  input: PlanInput,
  output: RunResource,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ core, actor }, args) {
    const run = runJson(await core.commands.createRun(actor, args, 'mcp'));
    return { structured: run, text: `Queued run ${run.id}: ${run.command} ${run.repo} ${run.dir} (${run.workspace}) at ${run.ref}. Poll get_run until it settles.` };
  },
});
