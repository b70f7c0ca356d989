import { IncidentResource } from '../../api/openapi/incident-resources.js';
import { incidentJson } from '../../api/presenters/incidents.js';
import { CreateIncidentInput } from '../../core/incidents/incident.schemas.js';
import { defineTool } from '../tool.js';
import { incidentLine } from './incident-text.js';

export const createIncidentTool = defineTool({
  name: 'create_incident',
  title: 'Create an incident',
  description: 'Declares an incident (it starts triggered) with a title, severity P1–P5 (default P3), description, source and ci_ids. ' +
    'With a dedup_key that an unresolved incident already has, the signal folds into that one instead (its occurrences go up). Needs a member\'s role.',
  input: CreateIncidentInput,
  output: IncidentResource,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ core, actor }, args) {
    const { incident, created } = await core.incidents.create(actor, args);
    const i = incidentJson(incident);
    return { structured: i, text: `${created ? 'Created' : 'Folded into'} ${incidentLine(i).slice(2)}` };
  },
});
