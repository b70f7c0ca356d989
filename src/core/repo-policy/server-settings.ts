/**
 * Which `repos:` entries of the server-side repo config apply to a repository and base branch,
 * and what they add up to. As in Atlantis, every matching entry applies in file order and a later
 * one overrides an earlier one key by key; a regex id is searched for anywhere in
 * `github.com/owner/repo` (unanchored, like Go's MatchString: write ^…$ to pin it). Unlike
 * Atlantis, ids match case-insensitively, as GitHub names do, and `branch` is honoured (Atlantis
 * documents it but does not apply it to repos: entries). Pure: no I/O.
 */
import type { AutodiscoverMode, RepoLocksMode, Requirement, SilencedStage } from '../terraform/repo-config.js';
import type { OverridableKey, ServerRepoConfig, ServerRepoEntry } from './server-repo-config.js';

export interface PolicyTarget {
  /** owner/repo */
  repoFullName: string;
  /** the pull request's base branch; null outside a pull request, where branch-scoped entries do not apply */
  baseBranch: string | null;
}

/** The server's settings for one repository and base branch, defaults filled in (Atlantis's). */
export interface ServerSettings {
  /** `github.com/owner/repo` (the host is the configured GitHub's) */
  repoId: string;
  planRequirements: Requirement[];
  applyRequirements: Requirement[];
  importRequirements: Requirement[];
  workflow: string;
  allowedOverrides: OverridableKey[];
  allowedWorkflows: string[];
  allowCustomWorkflows: boolean;
  deleteSourceBranchOnMerge: boolean;
  repoLocksMode: RepoLocksMode;
  policyCheck: boolean;
  customPolicyCheck: boolean;
  /** null when no entry sets it (then the repo's own atlantis.yaml decides) */
  autodiscover: { mode: AutodiscoverMode; ignorePaths: string[] } | null;
  silencePrComments: SilencedStage[];
  /** null = Atlantis's default (atlantis.yaml) */
  repoConfigFile: string | null;
  /** the entries that applied, in order (their `origin`), for logs and messages */
  matched: string[];
}

/** The entries that apply to `target`, in order. */
export function matchingEntries(server: ServerRepoConfig, target: PolicyTarget): ServerRepoEntry[] {
  const short = target.repoFullName.toLowerCase();
  const full = `${server.vcsHost}/${short}`;
  return server.repos.filter((entry) => {
    const idMatches = entry.id.kind === 'exact' ? entry.id.id === full || entry.id.id === short : entry.id.regex.test(full);
    const branchMatches = entry.branch === null || (target.baseBranch !== null && entry.branch.test(target.baseBranch));
    return idMatches && branchMatches;
  });
}

/** Every matching entry's keys, later over earlier, over Atlantis's defaults. */
export function serverSettings(server: ServerRepoConfig, target: PolicyTarget): ServerSettings {
  const entries = matchingEntries(server, target);
  const s: ServerSettings = {
    repoId: `${server.vcsHost}/${target.repoFullName}`,
    planRequirements: [], applyRequirements: [], importRequirements: [], workflow: 'default',
    allowedOverrides: [], allowedWorkflows: [], allowCustomWorkflows: false, deleteSourceBranchOnMerge: false,
    repoLocksMode: 'on_plan', policyCheck: false, customPolicyCheck: false, autodiscover: null, silencePrComments: [],
    repoConfigFile: null, matched: entries.map((e) => e.origin),
  };
  let repoLocking = true;
  for (const e of entries) {
    if (e.planRequirements) s.planRequirements = [...e.planRequirements];
    if (e.applyRequirements) s.applyRequirements = [...e.applyRequirements];
    if (e.importRequirements) s.importRequirements = [...e.importRequirements];
    if (e.workflow !== undefined) s.workflow = e.workflow;
    if (e.allowedOverrides) s.allowedOverrides = [...e.allowedOverrides];
    if (e.allowedWorkflows) s.allowedWorkflows = [...e.allowedWorkflows];
    if (e.allowCustomWorkflows !== undefined) s.allowCustomWorkflows = e.allowCustomWorkflows;
    if (e.deleteSourceBranchOnMerge !== undefined) s.deleteSourceBranchOnMerge = e.deleteSourceBranchOnMerge;
    if (e.repoLocking !== undefined) repoLocking = e.repoLocking;
    if (e.repoLocksMode !== undefined) s.repoLocksMode = e.repoLocksMode;
    if (e.policyCheck !== undefined) s.policyCheck = e.policyCheck;
    if (e.customPolicyCheck !== undefined) s.customPolicyCheck = e.customPolicyCheck;
    if (e.autodiscover) s.autodiscover = { mode: e.autodiscover.mode, ignorePaths: [...e.autodiscover.ignorePaths] };
    if (e.silencePrComments) s.silencePrComments = [...e.silencePrComments];
    if (e.repoConfigFile !== undefined) s.repoConfigFile = e.repoConfigFile;
  }
  if (!repoLocking) s.repoLocksMode = 'disabled'; // the deprecated flag wins, as in Atlantis
  return s;
}
