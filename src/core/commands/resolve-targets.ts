import path from 'node:path';
import picomatch from 'picomatch';
import { InputError } from '../errors.js';
import { cleanRepoRelDir, workspaceProblem } from '../projects/paths.js';
import { listRepoFiles, projectsToAutoplan, resolveProjects, type RepoProject } from '../terraform/project-discovery.js';
import { parseRepoConfig, type RepoConfig } from '../terraform/repo-config.js';
import { effectiveRepoPolicy, policyForProject, type PolicyTarget } from '../repo-policy/effective-policy.js';
import { serverWorkflowNames, type ServerRepoConfig } from '../repo-policy/server-repo-config.js';
import { serverSettings } from '../repo-policy/server-settings.js';
import { readRepoFile } from '../terraform/repo-file.js';

export interface TargetSelection {
  /** project names from atlantis.yaml (`-p`, Atlantis API `Projects`) */
  projects?: string[];
  /** directories/workspaces (`-d`/`-w`, Atlantis API `Paths`) */
  paths?: { dir?: string; workspace?: string }[];
  /** autoplan: the projects these modified files touch */
  modifiedFiles?: string[];
  /** every project of the repository (a drift check of a whole repository) */
  all?: boolean;
}

export interface ResolvedTarget {
  dir: string;
  workspace: string;
  projectName: string;
  /** indexes of targets that must finish first (execution_order_group, depends_on) */
  after?: number[];
  /** what applying the project requires: the server-side repo config's and atlantis.yaml's, as effectiveRepoPolicy decides */
  applyRequirements?: string[];
}

const CONFIG_FILES = ['atlantis.yaml', 'atlantis.yml'];

/** Where the server's repo config (ATLANTAS_REPO_CONFIG) is applied: which repository, which base branch. */
export interface ServerPolicyInput extends PolicyTarget {
  server: ServerRepoConfig;
}

/**
 * Reads the repository's config (if any), lets the server-side repo config decide what it may set
 * and what each project requires, and picks the projects a command names.
 */
export async function resolveTargets(repoDir: string, sel: TargetSelection, autoplanFileList: string[], server: ServerPolicyInput): Promise<ResolvedTarget[]> {
  const files = await listRepoFiles(repoDir);
  const { all, config, policy } = await discoverRepoProjects(files, (name) => readRepoFile(repoDir, name), server);
  let chosen: RepoProject[];
  if (sel.projects?.length) chosen = sel.projects.map((name) => byName(all, name, config));
  else if (sel.paths?.length) chosen = sel.paths.flatMap((p) => byPath(all, files, p));
  else if (sel.modifiedFiles) chosen = projectsToAutoplan(config, sel.modifiedFiles, files, autoplanFileList);
  else if (sel.all) chosen = all;
  else throw new InputError("at least one of 'Projects' or 'Paths' must be specified", { code: 'validation_error' });
  return order(dedupe(chosen), (p) => policyForProject(policy, p.config).applyRequirements);
}

/**
 * Every project of a repository, as autoplan and commands see it: the config file the server
 * allows (atlantis.yaml), checked against the server-side repo config, then discovery. `files` is
 * the repository's file list and `readFile` its text by path (null when absent); from a working
 * copy or from GitHub's tree API (github/apps/{id}/…/terraform-workspaces), the answer is the same.
 */
export async function discoverRepoProjects(files: string[], readFile: (name: string) => Promise<string | null>, server: ServerPolicyInput) {
  const settings = serverSettings(server.server, server);
  const read = await readRepoConfig(readFile, settings.repoConfigFile ? [settings.repoConfigFile] : CONFIG_FILES, serverWorkflowNames(server.server));
  const policy = effectiveRepoPolicy(server.server, server, read?.config ?? null, read?.fileName);
  const config = read && { ...read.config, autodiscover: policy.autodiscover };
  return { all: resolveProjects(config, files), config, policy, configFile: read?.fileName ?? null };
}

/** The first config file present; a link, a non-file or a huge file is refused (repo-file.ts), never followed. */
async function readRepoConfig(readFile: (name: string) => Promise<string | null>, names: string[], knownWorkflows: string[]): Promise<{ config: RepoConfig; fileName: string } | null> {
  for (const name of names) {
    const text = await readFile(name);
    if (text !== null) return { config: parseRepoConfig(text, name, { knownWorkflows }), fileName: name };
  }
  return null;
}

function byName(all: RepoProject[], name: string, config: RepoConfig | null): RepoProject {
  const found = all.find((p) => p.name === name);
  if (found) return found;
  const names = all.map((p) => p.name).filter(Boolean);
  throw new InputError(
    config ? `no project named "${name}" in atlantis.yaml; projects are: ${names.join(', ') || '(none named)'}` : `no project named "${name}": the repository has no atlantis.yaml naming projects`,
    { code: 'project_not_found' },
  );
}

function byPath(all: RepoProject[], files: string[], p: { dir?: string; workspace?: string }): RepoProject[] {
  const dir = cleanRepoRelDir(p.dir ?? '.');
  if (dir === null) throw new InputError(`using a relative path "${p.dir}" is not allowed: it escapes the repository`, { code: 'validation_error' });
  const workspace = p.workspace || undefined;
  const problem = workspace ? workspaceProblem(workspace) : null;
  if (problem) throw new InputError(`invalid workspace "${workspace}": ${problem}`, { code: 'validation_error' });
  const isGlob = /[*?[]/.test(dir);
  const inDir = isGlob ? picomatch(dir, { dot: false }) : (d: string) => d === dir;
  const matching = all.filter((x) => inDir(x.dir) && (!workspace || x.workspace === workspace));
  if (matching.length) return matching;
  if (isGlob) throw new InputError(`no terraform project matches the directory pattern "${dir}"`, { code: 'project_not_found' });
  const hasTf = files.some((f) => path.posix.dirname(f) === dir && /\.(tf|tf\.json|tofu)$/.test(f));
  if (!hasTf) throw new InputError(`no terraform project in directory "${dir}" (it has no .tf files)`, { code: 'project_not_found' });
  const ws = workspace ?? 'default';
  return [{ key: `${dir}/${ws}/`, name: null, dir, workspace: ws, config: null }];
}

function dedupe(projects: RepoProject[]): RepoProject[] {
  const seen = new Set<string>();
  return projects.filter((p) => {
    const key = `${p.dir}\0${p.workspace}\0${p.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** execution_order_group: lower groups first; depends_on: named projects in the same command first. */
function order(projects: RepoProject[], requirementsOf: (p: RepoProject) => string[]): ResolvedTarget[] {
  const group = (p: RepoProject) => p.config?.executionOrderGroup ?? 0;
  const sorted = [...projects].sort((a, b) => group(a) - group(b));
  return sorted.map((p, i) => {
    const after = new Set<number>();
    sorted.forEach((q, j) => {
      if (j === i) return;
      if (group(q) < group(p)) after.add(j);
      if (q.name && p.config?.dependsOn.includes(q.name)) after.add(j);
    });
    return { dir: p.dir, workspace: p.workspace, projectName: p.name ?? '', after: [...after], applyRequirements: requirementsOf(p) };
  });
}
