import { z } from 'zod';
import { DataPage, fence, fenced, page, PageArgs } from '../data-field.js';
import { defineTool, READ_ONLY } from '../tool.js';
import { RunId } from './get-run.tool.js';

const ACTIONS = ['create', 'update', 'delete', 'replace', 'import', 'read', 'forget', 'no-op'] as const;

const ResourcePlan = z.object({
  address: z.string(),
  action: z.string(),
  changes: z.array(z.object({ name: z.string(), before: z.unknown(), after: z.unknown() }))
    .describe('changed attributes; sensitive values read "(sensitive value)", unknown ones "(known after apply)"'),
});

export const getPlanTool = defineTool({
  name: 'get_plan',
  title: 'Get a run\'s plan',
  description: 'Shows what a run\'s plan would do. view=changes (default): the counts, then each resource acted on with only its changed ' +
    'attributes, before and after, sensitive values redacted; filter by address (substring) or actions, page with start/limit. ' +
    'view=full: terraform\'s own plan output, paged like get_run_logs. Read this before asking to apply a run.',
  input: z.object({
    run_id: RunId,
    view: z.enum(['changes', 'full']).default('changes'),
    address: z.string().max(500).optional().describe('only resources whose address contains this'),
    actions: z.array(z.enum(ACTIONS)).max(8).optional().describe('only these actions, e.g. ["delete","replace"]'),
    start: z.number().int().min(0).default(0).describe('changes view: skip this many resources'),
    limit: z.number().int().min(1).max(200).default(50).describe('changes view: at most this many resources'),
    offset: PageArgs.offset, tail: PageArgs.tail,
  }),
  output: z.object({
    run_id: z.string(), status: z.string(), view: z.enum(['changes', 'full']), summary: z.string().nullable(),
    counts: z.object({ add: z.number().int().nullable(), change: z.number().int().nullable(), destroy: z.number().int().nullable(), import: z.number().int().nullable() }),
    resources: z.array(ResourcePlan).describe('changes view only'),
    total_resources: z.number().int(), next_start: z.number().int().nullable(),
    output: DataPage.nullable().describe('full view only'),
  }),
  annotations: READ_ONLY,
  async run({ core, actor }, args) {
    const run = await core.runs.get(actor, args.run_id);
    const base = {
      run_id: run.id, status: run.status, view: args.view, summary: run.summary,
      counts: { add: run.resourcesAdded, change: run.resourcesChanged, destroy: run.resourcesDestroyed, import: run.resourcesImported },
    };
    if (args.view === 'full') {
      const output = page('terraform-plan', await core.runs.output(actor, run.id, 'plan'), { offset: args.offset, limit: 20_000, tail: args.tail });
      return { structured: { ...base, resources: [], total_resources: run.resourceChanges?.length ?? 0, next_start: null, output }, text: fenced(`Plan of run ${run.id}: ${run.summary ?? run.status}`, output) };
    }
    const matching = (run.resourceChanges ?? [])
      .filter((c) => !args.address || c.address.includes(args.address))
      .filter((c) => !args.actions || (args.actions as string[]).includes(c.action));
    const resources = matching.slice(args.start, args.start + args.limit).map((c) => ({ address: c.address, action: c.action, changes: c.changes ?? [] }));
    const next = args.start + resources.length < matching.length ? args.start + resources.length : null;
    const lines = resources.map((r) => `- ${r.action} ${r.address}${r.changes.length ? ': ' + r.changes.map((c) => `${c.name} ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`).join('; ') : ''}`);
    const text = fence(`Plan of run ${run.id} (${run.status}): ${run.summary ?? 'not planned yet'}; resources ${args.start + 1}–${args.start + resources.length} of ${matching.length}` +
      (next === null ? '' : ` (more from start ${next})`), 'terraform-plan', lines.join('\n'));
    return { structured: { ...base, resources, total_resources: matching.length, next_start: next, output: null }, text };
  },
});
