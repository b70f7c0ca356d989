import type { AgentBehaviour } from './agent-executor.js';

/**
 * An agent type whose core service is not on this server yet (drift_monitor needs the drift
 * checks of src/core/drift, apply_bot the approval gate of src/core/approvals). Its executions
 * say so plainly instead of pretending to have looked.
 */
export function unavailableAgent(reason: string): AgentBehaviour {
  return { run: async () => ({ status: 'unavailable', summary: `not available yet: ${reason}` }) };
}
