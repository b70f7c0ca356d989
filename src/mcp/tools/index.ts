import type { McpTool } from '../tool.js';
import { detectDriftTool } from './detect-drift.tool.js';
import { driftStatusTool } from './drift-status.tool.js';
import { applyRunTool } from './apply-run.tool.js';
import { cancelRunTool } from './cancel-run.tool.js';
import { discardRunTool } from './discard-run.tool.js';
import { getPlanTool } from './get-plan.tool.js';
import { getProjectTool } from './get-project.tool.js';
import { getRunLogsTool } from './get-run-logs.tool.js';
import { getRunTool } from './get-run.tool.js';
import { getStateOutputsTool } from './get-state-outputs.tool.js';
import { listApprovalsTool } from './list-approvals.tool.js';
import { listLocksTool } from './list-locks.tool.js';
import { listProjectsTool } from './list-projects.tool.js';
import { listRunsTool } from './list-runs.tool.js';
import { listStateVersionsTool } from './list-state-versions.tool.js';
import { listStatesTool } from './list-states.tool.js';
import { planTool } from './plan.tool.js';
import { unlockTool } from './unlock.tool.js';
import { whoamiTool } from './whoami.tool.js';
import { listIncidentsTool } from './list-incidents.tool.js';
import { getIncidentTool } from './get-incident.tool.js';
import { createIncidentTool } from './create-incident.tool.js';
import { updateIncidentTool } from './update-incident.tool.js';
import { runRcaTool } from './run-rca.tool.js';

/**
 * Every MCP tool, one file each. Drift and incident tools join by adding their file and a line
 * here; a tool whose annotations say readOnlyHint: false is a write tool (left out under
 * ATLANTAS_MCP_READ_ONLY).
 */
export const TOOLS: readonly McpTool[] = [
  whoamiTool, listProjectsTool, getProjectTool, listRunsTool, getRunTool, getRunLogsTool, getPlanTool,
  planTool, applyRunTool, discardRunTool, cancelRunTool,
  listLocksTool, unlockTool, listStatesTool, listStateVersionsTool, getStateOutputsTool, listApprovalsTool,
  driftStatusTool, detectDriftTool,
  listIncidentsTool, getIncidentTool, createIncidentTool, updateIncidentTool,
  runRcaTool,
] as unknown as readonly McpTool[];
