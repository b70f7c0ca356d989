/**
 * The server-side repo config (ATLANTAS_REPO_CONFIG), in Atlantis's `repos.yaml` format: per
 * repository (and base branch), the requirements, workflows and overrides a repo's atlantis.yaml
 * gets. It is what keeps a pull request from editing its own rules away. Parsed and validated
 * here; `effective-policy.ts` applies it. Errors name the file, the line and what to fix, and never
 * quote a value. Pure: no I/O (the loader is `load-server-repo-config.ts`).
 */
import { cleanRepoRelDir } from '../projects/paths.js';
import { ConfigReader, readWorkflows, type Located, type Workflow } from '../terraform/repo-config-reader.js';
import {
  AUTODISCOVER_MODES, REPO_LOCKS_MODES, REQUIREMENTS, SILENCED_STAGES,
  type AutodiscoverMode, type RepoLocksMode, type Requirement, type SilencedStage,
} from '../terraform/repo-config.js';
import { QuietReader } from './quiet-reader.js';

/** The atlantis.yaml keys a server may let a repo set (Atlantis's list). */
export const OVERRIDABLE_KEYS = [
  'plan_requirements', 'apply_requirements', 'import_requirements', 'workflow', 'delete_source_branch_on_merge',
  'repo_locking', 'repo_locks', 'policy_check', 'custom_policy_check', 'silence_pr_comments',
] as const;
export type OverridableKey = (typeof OVERRIDABLE_KEYS)[number];

/** `owner/repo` or `host/owner/repo`, lower-cased (GitHub names are case-insensitive); or a regex. */
export type RepoIdMatcher = { kind: 'exact'; id: string } | { kind: 'regex'; regex: RegExp };

/** One `repos:` entry. An absent key (undefined) leaves the value of earlier matching entries. */
export interface ServerRepoEntry {
  id: RepoIdMatcher;
  /** the PR's base branch must match; null = any */
  branch: RegExp | null;
  /** where it was declared, for messages: `repos.yaml line 3: repos[0]`, or the variable it stands for */
  origin: string;
  repoConfigFile?: string;
  planRequirements?: Requirement[];
  applyRequirements?: Requirement[];
  importRequirements?: Requirement[];
  workflow?: string;
  allowedOverrides?: OverridableKey[];
  allowedWorkflows?: string[];
  allowCustomWorkflows?: boolean;
  deleteSourceBranchOnMerge?: boolean;
  /** deprecated `repo_locking`; false disables repo locks whatever `repo_locks` says, as in Atlantis */
  repoLocking?: boolean;
  repoLocksMode?: RepoLocksMode;
  policyCheck?: boolean;
  customPolicyCheck?: boolean;
  autodiscover?: { mode: AutodiscoverMode; ignorePaths: string[] };
  silencePrComments?: SilencedStage[];
}

export interface ServerRepoConfig {
  /** in order; later matching entries override earlier ones key by key */
  repos: ServerRepoEntry[];
  /** server-defined workflows; `default` is built in unless redefined here */
  workflows: Record<string, Workflow>;
  /** the host that starts repo ids (`github.com`, or the GitHub Enterprise host) */
  vcsHost: string;
  /** keys accepted that Atlantas does not act on, one line each, for the loader to log */
  notes: string[];
}

const TOP_KEYS = ['repos', 'workflows'] as const;
const TOP_UNSUPPORTED: Record<string, string> = {
  policies: 'it runs no conftest policy checks; remove policies',
  metrics: 'it serves Prometheus metrics at /metrics (ATLANTAS_METRICS_TOKEN); remove metrics',
  team_authz: 'commenters need write permission on the repository (ATLANTAS_GH_REQUIRE_WRITE); remove team_authz',
  external_stores: 'it keeps plans, encrypted, in its database; remove external_stores',
};
const ENTRY_KEYS = [
  'id', 'branch', 'repo_config_file', 'plan_requirements', 'apply_requirements', 'import_requirements', 'workflow',
  'allowed_overrides', 'allowed_workflows', 'allow_custom_workflows', 'delete_source_branch_on_merge', 'repo_locking',
  'repo_locks', 'policy_check', 'custom_policy_check', 'autodiscover', 'silence_pr_comments',
] as const;
const ENTRY_UNSUPPORTED: Record<string, string> = {
  pre_workflow_hooks: 'it runs no workflow hooks; remove pre_workflow_hooks',
  post_workflow_hooks: 'it runs no workflow hooks; remove post_workflow_hooks',
};
const EXACT_ID = /^([A-Za-z0-9.-]+(:\d+)?\/)?[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Parses and validates a server-side repo config. An empty file is a valid, empty config. */
export function parseServerRepoConfig(text: string, fileName = 'repos.yaml', vcsHost = 'github.com'): ServerRepoConfig {
  const { reader, root } = ConfigReader.parse(text, fileName);
  const q = new QuietReader(reader);
  const top = q.mapping(root, TOP_KEYS, TOP_UNSUPPORTED);
  const workflowsAt = top.get('workflows') ?? { node: null, path: 'workflows', line: root.line };
  const workflows = readServerWorkflows(q, workflowsAt);
  const config: ServerRepoConfig = { repos: [], workflows, vcsHost: vcsHost.toLowerCase(), notes: [] };
  const items = q.list(top.get('repos') ?? { node: null, path: 'repos', line: root.line });
  config.repos = items.map((item) => readEntry(q, item, config, fileName));
  return config;
}

/**
 * The server's whole policy: ATLANTAS_APPLY_REQUIREMENTS first, as an entry matching every
 * repository, then the file's entries (`file` null when ATLANTAS_REPO_CONFIG is unset), so that
 * the file can override it key by key.
 */
export function withServerDefaults(file: ServerRepoConfig | null, defaults: { applyRequirements: readonly Requirement[]; vcsHost?: string }): ServerRepoConfig {
  const base = file ?? { repos: [], workflows: {}, vcsHost: 'github.com', notes: [] };
  const env: ServerRepoEntry[] = defaults.applyRequirements.length
    ? [{ id: { kind: 'regex', regex: /.*/ }, branch: null, origin: 'ATLANTAS_APPLY_REQUIREMENTS', applyRequirements: [...new Set(defaults.applyRequirements)] }]
    : [];
  return { ...base, vcsHost: (defaults.vcsHost ?? base.vcsHost).toLowerCase(), repos: [...env, ...base.repos] };
}

/** Every workflow name a repo may refer to on this server (`default` always). */
export function serverWorkflowNames(config: ServerRepoConfig): string[] {
  return [...new Set(['default', ...Object.keys(config.workflows)])];
}

function readServerWorkflows(q: QuietReader, at: Located): Record<string, Workflow> {
  const kind = q.reader.kind(at);
  if (kind !== 'null' && kind !== 'map') q.fail(at, 'must be a mapping of workflow names to {plan, apply}');
  for (const [, workflow] of q.reader.entries(at, null)) {
    for (const [, stage] of q.mapping(workflow, ['plan', 'apply'])) {
      const steps = q.mapping(stage, ['steps']).get('steps');
      if (steps) q.list(steps);
    }
  }
  return readWorkflows(q.reader, at);
}

function readEntry(q: QuietReader, item: Located, config: ServerRepoConfig, fileName: string): ServerRepoEntry {
  const e = q.mapping(item, ENTRY_KEYS, ENTRY_UNSUPPORTED);
  const get = (key: string) => (q.isSet(e.get(key)) ? e.get(key) : undefined);
  const opt = <T>(key: string, read: (at: Located) => T): T | undefined => {
    const at = get(key);
    return at ? read(at) : undefined;
  };
  const id = get('id');
  if (!id) q.fail(item, 'id is required: owner/repo, github.com/owner/repo, or a /regex/ such as /.*/');
  const where = `${fileName}${item.line === null ? '' : ` line ${item.line}`}: ${item.path}`;
  const entry: ServerRepoEntry = {
    id: readId(q, id),
    branch: opt('branch', (at) => q.regex(at)) ?? null,
    origin: where,
    repoConfigFile: opt('repo_config_file', (at) => readRepoConfigFile(q, at)),
    planRequirements: opt('plan_requirements', (at) => q.set(at, REQUIREMENTS)),
    applyRequirements: opt('apply_requirements', (at) => q.set(at, REQUIREMENTS)),
    importRequirements: opt('import_requirements', (at) => q.set(at, REQUIREMENTS)),
    workflow: opt('workflow', (at) => readWorkflowName(q, at, config)),
    allowedOverrides: opt('allowed_overrides', (at) => q.set(at, OVERRIDABLE_KEYS)),
    allowedWorkflows: opt('allowed_workflows', (at) => q.list(at).map((w) => readWorkflowName(q, w, config))),
    allowCustomWorkflows: opt('allow_custom_workflows', (at) => q.bool(at)),
    deleteSourceBranchOnMerge: opt('delete_source_branch_on_merge', (at) => q.bool(at)),
    repoLocking: opt('repo_locking', (at) => q.bool(at)),
    repoLocksMode: opt('repo_locks', (at) => readRepoLocks(q, at)),
    policyCheck: opt('policy_check', (at) => readOffOnly(q, at)),
    customPolicyCheck: opt('custom_policy_check', (at) => readOffOnly(q, at)),
    autodiscover: opt('autodiscover', (at) => readAutodiscover(q, at)),
    silencePrComments: opt('silence_pr_comments', (at) => q.set(at, SILENCED_STAGES)),
  };
  if (entry.deleteSourceBranchOnMerge) {
    config.notes.push(`${where}.delete_source_branch_on_merge: accepted and ignored; Atlantas never merges pull requests, so it deletes no branch`);
  }
  return entry;
}

function readId(q: QuietReader, at: Located): RepoIdMatcher {
  const text = q.text(at, 'owner/repo, github.com/owner/repo, or a /regex/');
  if (text.length >= 2 && text.startsWith('/') && text.endsWith('/')) return { kind: 'regex', regex: q.regex(at, 'i') };
  if (!EXACT_ID.test(text)) q.fail(at, 'must be owner/repo, github.com/owner/repo, or a regex between slashes such as /^github\\.com\\/acme\\//');
  return { kind: 'exact', id: text.toLowerCase() };
}

function readWorkflowName(q: QuietReader, at: Located, config: ServerRepoConfig): string {
  const name = q.text(at, 'a workflow name');
  if (name !== 'default' && !Object.hasOwn(config.workflows, name)) {
    q.fail(at, `names a workflow not defined under workflows: (defined: ${serverWorkflowNames(config).join(', ')})`);
  }
  return name;
}

function readRepoConfigFile(q: QuietReader, at: Located): string {
  const file = q.text(at, 'a path relative to the repository root');
  const clean = file.startsWith('/') ? null : cleanRepoRelDir(file);
  if (clean === null || clean === '.') q.fail(at, 'must be a file path relative to the repository root, without a leading / or ..');
  return clean;
}

function readRepoLocks(q: QuietReader, at: Located): RepoLocksMode | undefined {
  const mode = q.mapping(at, ['mode']).get('mode');
  return mode && q.isSet(mode) ? q.oneOf(mode, REPO_LOCKS_MODES) : undefined;
}

function readAutodiscover(q: QuietReader, at: Located): NonNullable<ServerRepoEntry['autodiscover']> {
  const e = q.mapping(at, ['mode', 'ignore_paths']);
  const mode = e.get('mode');
  const ignore = e.get('ignore_paths');
  return { mode: mode && q.isSet(mode) ? q.oneOf(mode, AUTODISCOVER_MODES) : 'auto', ignorePaths: ignore ? q.texts(ignore) : [] };
}

/** policy_check / custom_policy_check: Atlantas has no policy checks, so only `false` can be honoured. */
function readOffOnly(q: QuietReader, at: Located): boolean {
  if (q.bool(at)) q.fail(at, 'true is not supported: Atlantas runs no policy checks; remove it or set it to false');
  return false;
}
