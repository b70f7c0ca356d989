/**
 * The repo-level `atlantis.yaml` (versions 2 and 3, Atlantis server/core/config/raw): parsed,
 * validated and normalized (camelCase, defaults filled in). Every problem is an InputError
 * (code `repo_config_invalid`) naming the file, the line and what to fix, and never quoting the
 * value found there (repo-file-text.ts). Pure: no I/O.
 */
import { cleanRepoRelDir, workspaceProblem } from '../projects/paths.js';
import { ConfigReader, readWorkflows } from './repo-config-reader.js';
import type { Located, Workflow } from './repo-config-reader.js';
import { findCycle } from './depends-on-cycle.js';
import { isNameable, nameList } from './repo-file-text.js';

export { DEFAULT_APPLY_STEPS, DEFAULT_PLAN_STEPS, DEFAULT_WORKFLOW, REPO_CONFIG_INVALID } from './repo-config-reader.js';
export type { RunOutput, Workflow, WorkflowStep } from './repo-config-reader.js';

export const REQUIREMENTS = ['approved', 'mergeable', 'undiverged'] as const;
export type Requirement = (typeof REQUIREMENTS)[number];
export const REPO_LOCKS_MODES = ['on_plan', 'on_apply', 'disabled'] as const;
export type RepoLocksMode = (typeof REPO_LOCKS_MODES)[number];
export const AUTODISCOVER_MODES = ['auto', 'enabled', 'disabled'] as const;
export type AutodiscoverMode = (typeof AUTODISCOVER_MODES)[number];
export const TERRAFORM_DISTRIBUTIONS = ['terraform', 'opentofu'] as const;
export type TerraformDistribution = (typeof TERRAFORM_DISTRIBUTIONS)[number];
export const SILENCED_STAGES = ['plan', 'apply'] as const;
export type SilencedStage = (typeof SILENCED_STAGES)[number];

/** Atlantis's default `autoplan.when_modified`, relative to the project dir. */
export const DEFAULT_WHEN_MODIFIED: readonly string[] = [
  '**/*.tf*', '**/*.tofu', '**/*.tofu.json', '**/terragrunt.hcl', '**/.terraform.lock.hcl',
];

export interface ProjectConfig {
  /** Null when unnamed; then the project is targeted by dir and workspace. */
  name: string | null;
  /** Clean, repository-relative ("." is the root). May be a glob, expanded by project discovery. */
  dir: string;
  workspace: string;
  /** Regex source (without the slashes) the base branch must match; null = any branch. */
  branch: string | null;
  terraformVersion: string | null;
  terraformDistribution: TerraformDistribution | null;
  autoplan: { enabled: boolean; whenModified: string[] };
  planRequirements: Requirement[];
  applyRequirements: Requirement[];
  importRequirements: Requirement[];
  /** A workflow of this file or of the server; null = the server's default workflow. */
  workflow: string | null;
  executionOrderGroup: number;
  dependsOn: string[];
  repoLocksMode: RepoLocksMode;
  deleteSourceBranchOnMerge: boolean;
  /** Stages whose PR comments are left out (statuses are still set). */
  silencePrComments: SilencedStage[];
  policyCheck: boolean;
  customPolicyCheck: boolean;
  /** Where the project is declared, for messages; null when not read from a file. */
  line: number | null;
  /** Keys written with a non-null value → their line: server-side policy tells `apply_requirements: []` from a default. */
  keyLines: Record<string, number | null>;
}

export interface RepoConfig {
  version: 2 | 3;
  automerge: boolean;
  parallelPlan: boolean;
  parallelApply: boolean;
  abortOnExecutionOrderFail: boolean;
  deleteSourceBranchOnMerge: boolean;
  autodiscover: { mode: AutodiscoverMode; ignorePaths: string[] };
  repoLocksMode: RepoLocksMode;
  allowedRegexpPrefixes: string[];
  silencePrComments: SilencedStage[];
  projects: ProjectConfig[];
  workflows: Record<string, Workflow>;
  /** Top-level keys written with a non-null value → their line (see ProjectConfig.keyLines). */
  keyLines: Record<string, number | null>;
}

export interface ParseRepoConfigOptions {
  /** Workflows the server defines (repos.yaml); `default` is always known. */
  knownWorkflows?: readonly string[];
}

const TOP_KEYS = [
  'version', 'projects', 'workflows', 'automerge', 'parallel_plan', 'parallel_apply', 'abort_on_execution_order_fail',
  'delete_source_branch_on_merge', 'autodiscover', 'repo_locks', 'allowed_regexp_prefixes', 'silence_pr_comments',
] as const;
const PROJECT_KEYS = [
  'name', 'dir', 'workspace', 'branch', 'terraform_version', 'terraform_distribution', 'autoplan', 'plan_requirements',
  'apply_requirements', 'import_requirements', 'workflow', 'execution_order_group', 'depends_on', 'repo_locks',
  'delete_source_branch_on_merge', 'silence_pr_comments', 'policy_check', 'custom_policy_check',
] as const;
const GLOB_CHARS = /[*?[]/;
const PROJECT_NAME = /^[A-Za-z0-9._~/-]+$/;
/** hashicorp/go-version versions (what Atlantis accepts), or a constraint list like "~> 1.11.0, < 1.12". */
const VERSION = /^v?\d+(\.\d+)*(-?[0-9A-Za-z.~-]+)?(\+[0-9A-Za-z.~-]+)?$/;
const CONSTRAINT = /^(=|!=|>=|<=|>|<|~>)?\s*v?\d+(\.\d+)*(-[0-9A-Za-z.~-]+)?$/;

/** The projects and options `atlantis.yaml` declares. An empty file is a valid, empty config. */
export function parseRepoConfig(text: string, fileName = 'atlantis.yaml', options: ParseRepoConfigOptions = {}): RepoConfig {
  const { reader, root } = ConfigReader.parse(text, fileName);
  if (reader.kind(root) === 'null') return emptyRepoConfig();
  const top = reader.entries(root, TOP_KEYS);
  const get = (key: string): Located => top.get(key) ?? { node: null, path: key, line: root.line };
  const bool = (key: string, fallback: boolean) => (top.has(key) ? reader.bool(get(key)) : fallback);
  const config: RepoConfig = {
    version: readVersion(reader, top.get('version')),
    automerge: bool('automerge', false),
    parallelPlan: bool('parallel_plan', false),
    parallelApply: bool('parallel_apply', false),
    abortOnExecutionOrderFail: bool('abort_on_execution_order_fail', false),
    deleteSourceBranchOnMerge: bool('delete_source_branch_on_merge', false),
    autodiscover: readAutodiscover(reader, get('autodiscover')),
    repoLocksMode: readRepoLocks(reader, get('repo_locks')) ?? 'on_plan',
    allowedRegexpPrefixes: reader.texts(get('allowed_regexp_prefixes')),
    silencePrComments: readSet(reader, get('silence_pr_comments'), SILENCED_STAGES),
    projects: [],
    workflows: readWorkflows(reader, get('workflows')),
    keyLines: keyLines(reader, top),
  };
  const items = reader.items(get('projects'));
  config.projects = items.map((item) => readProject(reader, item, config));
  checkProjects(reader, items, config, new Set(['default', ...(options.knownWorkflows ?? [])]));
  return config;
}

export function emptyRepoConfig(): RepoConfig {
  return {
    version: 3, automerge: false, parallelPlan: false, parallelApply: false, abortOnExecutionOrderFail: false,
    deleteSourceBranchOnMerge: false, autodiscover: { mode: 'auto', ignorePaths: [] }, repoLocksMode: 'on_plan',
    allowedRegexpPrefixes: [], silencePrComments: [], projects: [], workflows: {}, keyLines: {},
  };
}

/** True when `dir` is a glob that stands for every matching project directory. */
export function isGlobDir(dir: string): boolean {
  return GLOB_CHARS.test(dir);
}

function readVersion(reader: ConfigReader, at: Located | undefined): 2 | 3 {
  if (!at) reader.fail({ node: null, path: 'version', line: 1 }, 'is required; add "version: 3" at the top of the file');
  const value = reader.kind(at) === 'scalar' ? (at.node as { value?: unknown }).value : null;
  if (value === '2' || value === '3') reader.fail(at, `must be the number ${value}, not the text "${value}"; remove the quotes`);
  if (value !== 2 && value !== 3) reader.fail(at, 'only versions 2 and 3 are supported; write "version: 3"');
  return value;
}

function readAutodiscover(reader: ConfigReader, at: Located): RepoConfig['autodiscover'] {
  const e = reader.entries(at, ['mode', 'ignore_paths']);
  const mode = e.get('mode');
  const ignore = e.get('ignore_paths');
  return { mode: mode ? reader.oneOf(mode, AUTODISCOVER_MODES) : 'auto', ignorePaths: ignore ? reader.texts(ignore) : [] };
}

function readRepoLocks(reader: ConfigReader, at: Located): RepoLocksMode | null {
  const mode = reader.entries(at, ['mode']).get('mode');
  return mode ? reader.oneOf(mode, REPO_LOCKS_MODES) : null;
}

function readProject(reader: ConfigReader, item: Located, repo: RepoConfig): ProjectConfig {
  const e = reader.entries(item, PROJECT_KEYS);
  const opt = <T>(key: string, read: (at: Located) => T): T | null => {
    const at = e.get(key);
    return at && reader.kind(at) !== 'null' ? read(at) : null;
  };
  const dir = readDir(reader, item, e.get('dir'));
  const name = opt('name', (at) => readName(reader, at, dir));
  return {
    name,
    dir,
    workspace: opt('workspace', (at) => readWorkspace(reader, at)) ?? 'default',
    branch: opt('branch', (at) => readBranch(reader, at)),
    terraformVersion: opt('terraform_version', (at) => readTerraformVersion(reader, at)),
    terraformDistribution: opt('terraform_distribution', (at) => reader.oneOf(at, TERRAFORM_DISTRIBUTIONS)),
    autoplan: readAutoplan(reader, e.get('autoplan') ?? { ...item, node: null, path: `${item.path}.autoplan` }),
    planRequirements: opt('plan_requirements', (at) => readSet(reader, at, REQUIREMENTS)) ?? [],
    applyRequirements: opt('apply_requirements', (at) => readSet(reader, at, REQUIREMENTS)) ?? [],
    importRequirements: opt('import_requirements', (at) => readSet(reader, at, REQUIREMENTS)) ?? [],
    workflow: opt('workflow', (at) => reader.text(at)),
    executionOrderGroup: opt('execution_order_group', (at) => reader.int(at)) ?? 0,
    dependsOn: opt('depends_on', (at) => reader.texts(at)) ?? [],
    repoLocksMode: opt('repo_locks', (at) => readRepoLocks(reader, at)) ?? repo.repoLocksMode,
    deleteSourceBranchOnMerge: opt('delete_source_branch_on_merge', (at) => reader.bool(at)) ?? repo.deleteSourceBranchOnMerge,
    silencePrComments: opt('silence_pr_comments', (at) => readSet(reader, at, SILENCED_STAGES)) ?? [...repo.silencePrComments],
    policyCheck: opt('policy_check', (at) => reader.bool(at)) ?? false,
    customPolicyCheck: opt('custom_policy_check', (at) => reader.bool(at)) ?? false,
    line: item.line,
    keyLines: keyLines(reader, e),
  };
}

function keyLines(reader: ConfigReader, entries: Map<string, Located>): Record<string, number | null> {
  return Object.fromEntries([...entries].filter(([, at]) => reader.kind(at) !== 'null').map(([key, at]) => [key, at.line]));
}

function readDir(reader: ConfigReader, item: Located, at: Located | undefined): string {
  if (!at || reader.kind(at) === 'null') reader.fail(item, 'dir is required; use "." for the repository root');
  const raw = reader.text(at);
  const dir = cleanRepoRelDir(raw);
  if (dir === null) reader.fail(at, 'escapes the repository; use a path inside it, relative to the root');
  return dir;
}

function readName(reader: ConfigReader, at: Located, dir: string): string {
  const name = reader.text(at);
  if (name === '') reader.fail(at, 'if set, cannot be empty');
  if (GLOB_CHARS.test(name)) reader.fail(at, "cannot contain glob characters ('*', '?', '['); only dir may be a glob");
  if (!PROJECT_NAME.test(name)) reader.fail(at, "is not allowed: use only letters, digits, '.', '_', '-', '~' and '/'");
  if (isGlobDir(dir)) reader.fail(at, 'cannot be set when dir is a glob, which stands for several projects');
  return name;
}

function readWorkspace(reader: ConfigReader, at: Located): string {
  const ws = reader.text(at);
  const problem = workspaceProblem(ws);
  if (problem) reader.fail(at, `is not a valid workspace: it ${problem}`);
  return ws;
}

function readBranch(reader: ConfigReader, at: Located): string {
  const branch = reader.text(at);
  if (branch.length < 2 || !branch.startsWith('/') || !branch.endsWith('/')) {
    reader.fail(at, 'must be a regex between slashes, like /^main$/');
  }
  try {
    new RegExp(branch.slice(1, -1));
  } catch (err) {
    reader.fail(at, `is not a valid regex (${(err as Error).message.split(': ').at(-1)})`); // V8: "…: /<pattern>/: <reason>"
  }
  return branch.slice(1, -1);
}

function readTerraformVersion(reader: ConfigReader, at: Located): string {
  const version = reader.text(at).trim();
  const parts = version.split(',').map((p) => p.trim());
  if (!VERSION.test(version) && !parts.every((p) => CONSTRAINT.test(p))) {
    reader.fail(at, 'is not a version; use one like v1.11.0 or 1.11.0, or a constraint like "~> 1.11.0"');
  }
  return version;
}

function readAutoplan(reader: ConfigReader, at: Located): ProjectConfig['autoplan'] {
  const e = reader.entries(at, ['enabled', 'when_modified']);
  const enabled = e.get('enabled');
  const whenModified = e.get('when_modified');
  return {
    enabled: enabled ? reader.bool(enabled) : true,
    whenModified: whenModified ? reader.texts(whenModified).map((p) => p.trim()) : [...DEFAULT_WHEN_MODIFIED],
  };
}

/** A list of allowed words, duplicates dropped. */
function readSet<T extends string>(reader: ConfigReader, at: Located, allowed: readonly T[]): T[] {
  const out: T[] = [];
  for (const item of reader.items(at)) {
    const value = reader.oneOf(item, allowed);
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

/** Rules across projects: unique names, named twins, known workflows, existing and acyclic depends_on. */
function checkProjects(reader: ConfigReader, items: Located[], config: RepoConfig, known: Set<string>): void {
  const field = (i: number, key: string): Located => reader.entries(items[i], PROJECT_KEYS).get(key) ?? items[i];
  const at = (i: number) => `projects[${i}] (line ${config.projects[i].line})`;
  const byName = new Map<string, number>();
  const byDirWorkspace = new Map<string, number>();
  config.projects.forEach((p, i) => {
    const twin = p.name === null ? undefined : byName.get(p.name);
    if (twin !== undefined) reader.fail(field(i, 'name'), `is already the name of ${at(twin)}; project names must be unique`);
    if (p.name !== null) byName.set(p.name, i);
    const key = `${p.dir}\0${p.workspace}`;
    const other = byDirWorkspace.get(key);
    if (other !== undefined && (p.name === null || config.projects[other].name === null)) {
      reader.fail(items[i], `${at(other)} has the same dir and workspace; give each of them a unique name`);
    }
    if (!isGlobDir(p.dir)) byDirWorkspace.set(key, i);
    if (p.workflow !== null && !Object.hasOwn(config.workflows, p.workflow) && !known.has(p.workflow)) {
      const choices = nameList([...Object.keys(config.workflows), ...known]);
      reader.fail(field(i, 'workflow'), `is not a defined workflow; define it under workflows: or use one of: ${choices}`);
    }
  });
  config.projects.forEach((p, i) => p.dependsOn.forEach((dep, j) => {
    if (byName.has(dep)) return;
    reader.fail(reader.items(field(i, 'depends_on'))[j], `names no project; project names are: ${nameList([...byName.keys()])}`);
  }));
  const cycle = findCycle(config.projects, byName);
  const label = (i: number) => (isNameable(config.projects[i].name!) ? config.projects[i].name : `projects[${i}]`);
  if (cycle) reader.fail(field(cycle[0], 'depends_on'), `dependency cycle: ${cycle.map(label).join(' -> ')}`);
}
