import { z } from 'zod';
import { rcaJson } from '../../api/presenters/ai.js';
import { RcaInput } from '../../core/rca/ai.schemas.js';
import { defineTool } from '../tool.js';

const Candidate = z.looseObject({
  rank: z.number(), score: z.number(), id: z.string(), kind: z.string(), at: z.string().nullable(), project: z.string(), summary: z.string(),
  reasons: z.array(z.string()), run_id: z.string().nullable(), resources: z.array(z.string()),
});

export const runRcaTool = defineTool({
  name: 'run_rca',
  title: 'Root cause analysis of an incident',
  description: 'Correlates an incident (id or INC-00000001) with the applies, state writes, lock events and pull requests on its projects in the window before it started, ' +
    'and ranks them (time proximity, overlap with the affected resources, destroys and replaces), each with its reasons. ' +
    'root_cause is the top candidate; analysis is the narrative. It changes nothing but a note on the incident\'s timeline.',
  input: RcaInput,
  output: z.looseObject({
    incident_id: z.string(), reference: z.string(), affected_resources: z.array(z.string()), root_cause: Candidate.nullable(),
    candidates: z.array(Candidate), summary: z.string(), analysis: z.string(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ core, actor }, args) {
    const rca = rcaJson(await core.rca.analyze(actor, args.incident_id));
    const top = rca.candidates.slice(0, 5).map((c) => `#${c.rank} (${c.score}) ${c.summary} — ${(c.reasons ?? []).join('; ')}`);
    return { structured: rca, text: [`RCA of ${rca.reference}: ${rca.analysis}`, ...top].join('\n') };
  },
});
