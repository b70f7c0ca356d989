import type { Run } from '../runs/run.model.js';
import { reservedEnvProblem } from './tfe-variable-rules.js';
import type { TfeVariable, TfeVariableRepository } from './tfe-variable.repository.js';
import type { TfeVarset, TfeVarsetRepository } from './tfe-varset.repository.js';
import type { TfeWorkspaceRepository } from './tfe-workspace.repository.js';

/** What a run's job gets of its TFE workspace's variables: env on top of `base`, and the sensitive values to redact. */
export interface RunVariablesEnv {
  env: Record<string, string>;
  secrets: string[];
}

/**
 * Where a variable stands in TFC's precedence, lowest wins: a priority set overrides everything
 * (a global priority set before an attached one), then the workspace's own variables, then sets
 * attached to the workspace, then global sets. Within one level the set whose name sorts first wins.
 */
function level(v: TfeVariable, sets: Map<string, TfeVarset>): number {
  if (v.workspaceId) return 2;
  const set = sets.get(v.varsetId!)!;
  if (set.priority) return set.global ? 0 : 1;
  return set.global ? 4 : 3;
}

/**
 * The variables of the TFE workspace a run's state (or project + workspace) maps to, resolved
 * by precedence, as the job's env: `terraform` variables as `TF_VAR_<key>` (an HCL value as
 * written, which terraform parses), `env` variables by their own name. Sensitive values are
 * returned in `secrets` so the runner redacts them from the log, errors and plan details. A
 * reserved name (refused when written; this is the second line) never reaches the env.
 * Composed before the cloud-credential provider, so a project's credential wins over a variable.
 */
export class TfeRunVariables {
  constructor(private readonly deps: { workspaces: TfeWorkspaceRepository; varsets: TfeVarsetRepository; variables: TfeVariableRepository }) {}

  /** The resolved variables by env name, with the sensitive flag (for the API's tests and the job). */
  async resolve(run: Pick<Run, 'tenantId' | 'stateName' | 'workspace' | 'projectId'>): Promise<Map<string, { value: string; sensitive: boolean }>> {
    const resolved = new Map<string, { value: string; sensitive: boolean }>();
    const ws = await this.deps.workspaces.forRun(run.tenantId, run);
    if (!ws) return resolved;
    const sets = await this.deps.varsets.forWorkspace(run.tenantId, ws.id);
    const byId = new Map(sets.map((s) => [s.id, s]));
    const vars = [...(await this.deps.variables.list(run.tenantId, { workspaceId: ws.id })), ...(await this.deps.variables.listOfVarsets(run.tenantId, sets.map((s) => s.id)))];
    const nameOf = (v: TfeVariable) => (v.varsetId ? byId.get(v.varsetId)!.name : '');
    vars.sort((a, b) => level(a, byId) - level(b, byId) || nameOf(a).localeCompare(nameOf(b)));
    for (const v of vars) {
      const name = v.category === 'terraform' ? `TF_VAR_${v.key}` : v.key;
      if (resolved.has(name) || (v.category === 'env' && reservedEnvProblem(name))) continue;
      resolved.set(name, { value: v.value, sensitive: v.sensitive });
    }
    return resolved;
  }

  async forRun(run: Pick<Run, 'tenantId' | 'stateName' | 'workspace' | 'projectId'>, base: Record<string, string>): Promise<RunVariablesEnv> {
    const resolved = await this.resolve(run);
    const env = { ...base };
    const secrets: string[] = [];
    for (const [name, { value, sensitive }] of resolved) {
      env[name] = value;
      if (sensitive && value) secrets.push(value);
    }
    return { env, secrets };
  }
}
