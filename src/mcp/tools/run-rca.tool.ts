import { z } from 'zod';
import { rcaJson } from '../../api/presenters/ai.js';
import { RcaInput } from '../../core/rca/ai.schemas.js';
import { defineTool } from '../tool.js';

const Evidence = z.object({
  rank: z.number().optional(), score: z.number().optional(), reasons: z.array(z.string()).optional(),
  id: z.string(), kind: z.string(), at: z.string().nullable(), project_id: z.string().nullable(), project: z.string(), summary: z.string(), actor: z.string().nullable(),
  run_id: z.string().nullable(), pr_number: z.number().nullable(), pr_url: z.string().nullable(), resources: z.array(z.string()),
  destroys: z.number(), replaces: z.number(), detail: z.record(z.string(), z.unknown()),
});

/** POST /api/rca's `data` (api/presenters/ai.ts rcaJson). */
const RcaResource = z.object({
  incident_id: z.string(), reference: z.string(), title: z.string(), severity: z.string(), status: z.string(), started_at: z.string().nullable(),
  window: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  projects: z.array(z.object({ id: z.string(), name: z.string() })), affected_resources: z.array(z.string()),
  root_cause: Evidence.nullable(), candidates: z.array(Evidence), symptoms: z.array(Evidence),
  summary: z.string(), narrative: z.object({ source: z.enum(['llm', 'deterministic']), model: z.string().nullable(), text: z.string(), note: z.string().nullable() }),
  analysis: z.string(), notes: z.array(z.string()),
});

export const runRcaTool = defineTool({
  name: 'run_rca',
  title: 'Root cause analysis of an incident',
  description: 'Correlates an incident (id or INC-00000001) with the applies, state writes, lock events and pull requests on its projects in the window before it started, ' +
    'and ranks them (time proximity, overlap with the affected resources, destroys and replaces), each with its reasons. ' +
    'root_cause is the top candidate; analysis is the narrative. It changes nothing but a note on the incident\'s timeline.',
  input: RcaInput,
  output: RcaResource,
  // not read-only: the analysis is noted on the incident's timeline (and so left out under ATLANTAS_MCP_READ_ONLY)
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ core, actor }, args) {
    const rca = rcaJson(await core.rca.analyze(actor, args.incident_id));
    const top = rca.candidates.slice(0, 5).map((c) => `#${c.rank} (${c.score}) ${c.summary} — ${(c.reasons ?? []).join('; ')}`);
    return { structured: rca, text: [`RCA of ${rca.reference}: ${rca.analysis}`, ...top].join('\n') };
  },
});
