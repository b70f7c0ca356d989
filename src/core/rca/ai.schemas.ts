import { z } from 'zod';

/** Inputs of AtlasAI's AI endpoints (POST /api/rca, /api/copilot/query), shared by REST and MCP. */
const IncidentRef = z.string().trim().min(1, 'is required').max(64).describe('the incident id (uuid) or reference (INC-00000001)');

export const RcaInput = z.object({ incident_id: IncidentRef }).strict();
export type RcaInput = z.infer<typeof RcaInput>;

export const PERSONAS = ['sre', 'developer', 'manager', 'security'] as const;
export type Persona = (typeof PERSONAS)[number];

export const CopilotQueryInput = z.object({
  query: z.string().trim().min(1, 'is required: ask a question, e.g. "which runs failed today?"').max(2000),
  persona: z.enum(PERSONAS, { message: `must be one of ${PERSONAS.join(', ')}` }).default('sre'),
}).strict();
export type CopilotQueryInput = z.infer<typeof CopilotQueryInput>;
