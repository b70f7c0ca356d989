/** The agent types of the Agents API (atlantas-api.txt "Agents"). */
export const AGENT_TYPES = ['drift_monitor', 'state_watcher', 'apply_bot', 'upgrade_bot', 'codebase_monitor'] as const;
export type AgentType = (typeof AGENT_TYPES)[number];
