import { z } from 'zod';
import { IncidentResource } from '../../api/openapi/incident-resources.js';
import { incidentJson } from '../../api/presenters/incidents.js';
import { IncidentRef, UpdateIncidentInput } from '../../core/incidents/incident.schemas.js';
import { defineTool } from '../tool.js';
import { incidentLine } from './incident-text.js';

export const updateIncidentTool = defineTool({
  name: 'update_incident',
  title: 'Update an incident',
  description: 'Changes an incident (by id or INC- reference): one step of its state machine (triggered → open → acknowledged → investigating → resolved → closed; ' +
    'resolved → reopened → investigating) and/or severity, title, description, assignee, resolution_notes, resolved_by, ci_ids. ' +
    'Any other status change is refused (conflict, reason invalid_transition) naming the allowed next states. Needs a member\'s role.',
  input: z.object({ incident: IncidentRef, changes: UpdateIncidentInput }),
  output: IncidentResource,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ core, actor }, { incident, changes }) {
    const i = incidentJson(await core.incidents.update(actor, incident, changes));
    return { structured: i, text: `Updated ${incidentLine(i).slice(2)}` };
  },
});
