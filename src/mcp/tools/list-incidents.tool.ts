import { z } from 'zod';
import { IncidentResource } from '../../api/openapi/incident-resources.js';
import { incidentJson } from '../../api/presenters/incidents.js';
import { ListIncidentsQuery } from '../../core/incidents/incident.schemas.js';
import { defineTool, READ_ONLY } from '../tool.js';
import { incidentLine } from './incident-text.js';

export const listIncidentsTool = defineTool({
  name: 'list_incidents',
  title: 'List incidents',
  description: 'The incidents of your tenant, newest first, optionally by status (triggered, open, acknowledged, investigating, resolved, closed, reopened) ' +
    'and severity (P1 most severe … P5). Atlantas opens incidents itself for drift and failed applies (source drift / apply_failed), linked to the runs and projects. ' +
    'Read one with get_incident for its timeline.',
  input: ListIncidentsQuery,
  output: z.object({ items: z.array(IncidentResource), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }),
  annotations: READ_ONLY,
  async run({ core, actor }, args) {
    const page = await core.incidents.list(actor, args);
    const items = page.items.map(incidentJson);
    return { structured: { ...page, items }, text: items.length ? `${page.total} incident(s):\n${items.map(incidentLine).join('\n')}` : 'No incidents match.' };
  },
});
