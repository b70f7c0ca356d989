/**
 * What each project of a repository really gets, given the server-side repo config
 * (ATLANTAS_REPO_CONFIG and ATLANTAS_APPLY_REQUIREMENTS) and the repo's own atlantis.yaml:
 * requirements, workflow, locks. A pull request can edit its atlantis.yaml, so the server decides
 * what that file may set, as Atlantis does: a restricted key the server does not list in
 * `allowed_overrides` makes the whole file refused, a repo-defined workflow needs
 * `allow_custom_workflows: true`, and a workflow must be one the server allows.
 *
 * One deliberate difference from Atlantis: a repo can never DROP a requirement the server sets.
 * Without `<kind>_requirements` in `allowed_overrides`, a project's requirements are the server's
 * plus the repo's (adding is always fine, so existing files with `apply_requirements: [approved]`
 * keep working); with it, the repo's list replaces the server's. Pure: no I/O.
 */
import { InputError } from '../errors.js';
import { DEFAULT_WORKFLOW, type ProjectConfig, type RepoConfig, type RepoLocksMode, type Requirement, type SilencedStage, type Workflow } from '../terraform/repo-config.js';
import { serverWorkflowNames, type OverridableKey, type ServerRepoConfig } from './server-repo-config.js';
import { serverSettings, type PolicyTarget, type ServerSettings } from './server-settings.js';

export type { PolicyTarget } from './server-settings.js';
export const REPO_CONFIG_NOT_ALLOWED = 'repo_config_not_allowed';

export interface ProjectPolicy {
  /** the atlantis.yaml project this is for; null = a project the file does not configure (auto-discovered) */
  config: ProjectConfig | null;
  planRequirements: Requirement[];
  applyRequirements: Requirement[];
  importRequirements: Requirement[];
  /** `builtin` is Atlantis's init/plan + apply; `server` comes from ATLANTAS_REPO_CONFIG, `repo` from atlantis.yaml */
  workflow: { name: string; source: 'builtin' | 'server' | 'repo'; steps: Workflow };
  deleteSourceBranchOnMerge: boolean;
  repoLocksMode: RepoLocksMode;
  policyCheck: boolean;
  customPolicyCheck: boolean;
  silencePrComments: SilencedStage[];
}

export interface EffectiveRepoPolicy {
  server: ServerSettings;
  /** where the repo keeps its config: the server's `repo_config_file`, or null for atlantis.yaml */
  repoConfigFile: string | null;
  autodiscover: RepoConfig['autodiscover'];
  /** for projects the repo config does not declare (or when there is none) */
  defaults: ProjectPolicy;
  /** one per `repoConfig.projects`, in the same order */
  projects: ProjectPolicy[];
}

/** Project-level keys a repo may set only where the server's `allowed_overrides` lists them (Atlantis's ValidateRepoCfg). */
const REFUSED_UNLESS_ALLOWED = ['workflow', 'delete_source_branch_on_merge', 'repo_locks', 'custom_policy_check', 'silence_pr_comments'] as const;

/**
 * The policy of every project of `target` (repo and base branch). Call it once per command or
 * autoplan, after parsing the repo's atlantis.yaml (pass `knownWorkflows: serverWorkflowNames(server)`
 * to parseRepoConfig) or with null when the repo has none; then `policyForProject(policy,
 * repoProject.config)` gives each project's requirements and workflow. These replace
 * `ProjectConfig.applyRequirements` and ATLANTAS_APPLY_REQUIREMENTS (already folded into `server`
 * by withServerDefaults): do not add those again.
 * @throws InputError (code repo_config_not_allowed) naming the file, the line, the key the repo may
 *   not set and the server setting that would allow it; show it to the PR like a repo config error.
 */
export function effectiveRepoPolicy(server: ServerRepoConfig, target: PolicyTarget, repoConfig: RepoConfig | null, fileName = 'atlantis.yaml'): EffectiveRepoPolicy {
  const settings = serverSettings(server, target);
  if (repoConfig) checkRepoConfig(server, settings, repoConfig, fileName);
  return {
    server: settings,
    repoConfigFile: settings.repoConfigFile,
    autodiscover: settings.autodiscover ?? repoConfig?.autodiscover ?? { mode: 'auto', ignorePaths: [] },
    defaults: projectPolicy(server, settings, null, null),
    projects: (repoConfig?.projects ?? []).map((p) => projectPolicy(server, settings, repoConfig, p)),
  };
}

/** The policy for a discovered project: its atlantis.yaml entry's (by identity), or the defaults. */
export function policyForProject(policy: EffectiveRepoPolicy, config: ProjectConfig | null): ProjectPolicy {
  return (config && policy.projects.find((p) => p.config === config)) || policy.defaults;
}

function checkRepoConfig(server: ServerRepoConfig, s: ServerSettings, repo: RepoConfig, fileName: string): void {
  const refuse = (line: number | null, path: string, problem: string): never => {
    const message = [line === null ? fileName : `${fileName} line ${line}`, path, `${problem} (ATLANTAS_REPO_CONFIG)`].filter(Boolean).join(': ');
    throw new InputError(message, { code: REPO_CONFIG_NOT_ALLOWED, issues: [{ path, message: problem }] });
  };
  repo.projects.forEach((p, i) => {
    for (const key of REFUSED_UNLESS_ALLOWED) {
      if (Object.hasOwn(p.keyLines, key) && !s.allowedOverrides.includes(key)) {
        refuse(p.keyLines[key], `projects[${i}].${key}`, `repo config not allowed to set '${key}' key: server-side config needs 'allowed_overrides: [${key}]'`);
      }
    }
  });
  if (Object.keys(repo.workflows).length && !s.allowCustomWorkflows) {
    refuse(repo.keyLines.workflows ?? null, 'workflows', "repo config not allowed to define custom workflows: server-side config needs 'allow_custom_workflows: true'");
  }
  const known = serverWorkflowNames(server);
  repo.projects.forEach((p, i) => {
    if (p.workflow === null) return;
    const own = Object.hasOwn(repo.workflows, p.workflow);
    const at = (problem: string) => refuse(p.keyLines.workflow ?? p.line, `projects[${i}].workflow`, problem);
    if (!own && !known.includes(p.workflow)) at(`names a workflow defined neither in this file nor on the server (server workflows: ${known.join(', ')})`);
    if (s.allowedWorkflows.length && !(own && s.allowCustomWorkflows) && !s.allowedWorkflows.includes(p.workflow)) {
      at(`the workflow is not allowed for this repo: server-side config 'allowed_workflows' lists only ${s.allowedWorkflows.join(', ')}`);
    }
  });
}

function projectPolicy(server: ServerRepoConfig, s: ServerSettings, repo: RepoConfig | null, p: ProjectConfig | null): ProjectPolicy {
  const allowed = (key: OverridableKey) => s.allowedOverrides.includes(key);
  const wrote = (key: string) => p !== null && Object.hasOwn(p.keyLines, key);
  const repoWrote = (key: string) => repo !== null && Object.hasOwn(repo.keyLines, key);
  /** project first, then the file's top level, then the server */
  const layered = <T>(key: OverridableKey, fromProject: () => T, fromRepo: (() => T) | null, fromServer: T): T =>
    !allowed(key) ? fromServer : wrote(key) ? fromProject() : fromRepo && repoWrote(key) ? fromRepo() : fromServer;
  return {
    config: p,
    planRequirements: requirements('plan_requirements', s.planRequirements, p?.planRequirements, wrote, allowed),
    applyRequirements: requirements('apply_requirements', s.applyRequirements, p?.applyRequirements, wrote, allowed),
    importRequirements: requirements('import_requirements', s.importRequirements, p?.importRequirements, wrote, allowed),
    workflow: workflowOf(server, s, repo, p),
    deleteSourceBranchOnMerge: layered('delete_source_branch_on_merge', () => p!.deleteSourceBranchOnMerge, () => repo!.deleteSourceBranchOnMerge, s.deleteSourceBranchOnMerge),
    repoLocksMode: layered('repo_locks', () => p!.repoLocksMode, () => repo!.repoLocksMode, s.repoLocksMode),
    policyCheck: layered('policy_check', () => p!.policyCheck, null, s.policyCheck),
    customPolicyCheck: layered('custom_policy_check', () => p!.customPolicyCheck, null, s.customPolicyCheck),
    silencePrComments: [...layered('silence_pr_comments', () => p!.silencePrComments, () => repo!.silencePrComments, s.silencePrComments)],
  };
}

/** Atlantas's rule: the repo's list replaces the server's only where allowed; otherwise it can only add. */
function requirements(key: OverridableKey, server: Requirement[], own: Requirement[] | undefined, wrote: (k: string) => boolean, allowed: (k: OverridableKey) => boolean): Requirement[] {
  if (!own || !wrote(key)) return [...server];
  return allowed(key) ? [...own] : [...new Set([...server, ...own])];
}

function workflowOf(server: ServerRepoConfig, s: ServerSettings, repo: RepoConfig | null, p: ProjectConfig | null): ProjectPolicy['workflow'] {
  const chosen = p?.workflow != null && s.allowedOverrides.includes('workflow') ? p.workflow : null;
  const name = chosen ?? s.workflow;
  // A repo's own workflow of that name wins over the server's, as in Atlantis, only when the project chose it.
  if (chosen !== null && s.allowCustomWorkflows && repo && Object.hasOwn(repo.workflows, chosen)) {
    return { name, source: 'repo', steps: repo.workflows[name] };
  }
  if (Object.hasOwn(server.workflows, name)) return { name, source: 'server', steps: server.workflows[name] };
  return { name, source: 'builtin', steps: { plan: [...DEFAULT_WORKFLOW.plan], apply: [...DEFAULT_WORKFLOW.apply] } };
}
