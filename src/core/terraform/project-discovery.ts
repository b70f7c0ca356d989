/**
 * Which terraform projects a repository has, and which of them a pull request's changes
 * autoplan (Atlantis server/events/project_finder.go). Pure, except `listRepoFiles`, which walks
 * a checked-out working copy.
 */
import posix from 'node:path/posix';
import picomatch from 'picomatch';
import { isGlobDir } from './repo-config.js';
import { listCheckoutFiles } from './repo-file.js';
import type { ProjectConfig, RepoConfig } from './repo-config.js';

/** Atlantis's default `--autoplan-file-list`. */
export const DEFAULT_AUTOPLAN_FILE_LIST: readonly string[] = [
  '**/*.tf', '**/*.tf.json', '**/*.tfvars', '**/*.tfvars.json', '**/*.tofu', '**/*.tofu.json', '**/terragrunt.hcl',
  '**/.terraform.lock.hcl',
];

export interface DiscoveredProject {
  dir: string;
  workspace: string;
  name: null;
}

/** A project of the repository: declared in atlantis.yaml (`config`) or discovered (`config: null`). */
export interface RepoProject {
  /** Stable identity: `dir/workspace/name` (name empty when unnamed), like Atlantis's lock key. */
  key: string;
  dir: string;
  workspace: string;
  name: string | null;
  config: ProjectConfig | null;
}
export type PlannedProject = RepoProject;

const TF_FILE = /\.(tf|tf\.json|tofu|tofu\.json)$/;
const SKIPPED_DIRS = new Set(['.git', '.terraform']);

/** Without atlantis.yaml: every directory holding terraform files, except hidden ones and those under modules/. */
export function discoverProjects(repoFiles: string[]): DiscoveredProject[] {
  return [...terraformDirs(repoFiles)]
    .filter((dir) => !dir.split('/').includes('modules'))
    .sort()
    .map((dir) => ({ dir, workspace: 'default', name: null }));
}

/** Every project the repository defines: atlantis.yaml's (globs expanded), plus discovered ones when discovery applies. */
export function resolveProjects(config: RepoConfig | null, repoFiles: string[]): RepoProject[] {
  const configured = config ? configProjects(config, repoFiles) : [];
  if (!discoveryApplies(config)) return configured;
  const taken = new Set(configured.map((p) => p.dir));
  const ignored = createPathMatcher(config?.autodiscover.ignorePaths ?? []);
  const discovered = discoverProjects(repoFiles).filter((p) => !taken.has(p.dir) && !ignored(p.dir));
  return [...configured, ...discovered.map((p) => toRepoProject(p.dir, p.workspace, null, null))];
}

/**
 * The projects a change autoplans. Config projects are picked by `autoplan.when_modified` (relative
 * to the project dir, .dockerignore syntax); otherwise each modified file in `autoplanFileList`
 * plans its own dir, or the dir above `modules/` when that holds terraform files.
 */
export function projectsToAutoplan(
  config: RepoConfig | null,
  modifiedFiles: string[],
  repoFiles: string[],
  autoplanFileList: readonly string[] = DEFAULT_AUTOPLAN_FILE_LIST,
): PlannedProject[] {
  const files = modifiedFiles.map((f) => posix.normalize(f));
  const configured = config ? configProjects(config, repoFiles) : [];
  const selected = configured.filter((p) => {
    if (!p.config!.autoplan.enabled) return false;
    const matches = createPathMatcher(p.config!.autoplan.whenModified, p.dir);
    return files.some(matches);
  });
  if (!discoveryApplies(config)) return selected;
  const tfDirs = terraformDirs(repoFiles);
  const inFileList = createPathMatcher(autoplanFileList);
  const ignored = createPathMatcher(config?.autodiscover.ignorePaths ?? []);
  const taken = new Set(configured.map((p) => p.dir));
  const dirs = new Set<string>();
  for (const file of files.filter(inFileList)) {
    const dir = projectDirOf(file, tfDirs);
    if (dir !== null && tfDirs.has(dir) && !taken.has(dir) && !ignored(dir)) dirs.add(dir);
  }
  return [...selected, ...[...dirs].sort().map((dir) => toRepoProject(dir, 'default', null, null))];
}

/**
 * Matches repository paths against patterns with .dockerignore semantics, as Atlantis does:
 * patterns are relative to `baseDir` (`../` allowed), `!` negates, the last matching pattern wins,
 * and a pattern matching a parent directory matches everything below it.
 */
export function createPathMatcher(patterns: readonly string[], baseDir = '.'): (file: string) => boolean {
  const rules = patterns
    .map((p) => p.trim())
    .filter((p) => p !== '' && p !== '!')
    .map((raw) => {
      const negate = raw.startsWith('!');
      const pattern = posix.join(baseDir, negate ? raw.slice(1) : raw);
      return { negate, depth: pattern.split('/').length, test: picomatch(pattern, { dot: true }) };
    });
  return (file) => {
    const parents = file.split('/').slice(0, -1);
    let matched = false;
    for (const rule of rules) {
      const parentHit = parents.length >= rule.depth && rule.test(parents.slice(0, rule.depth).join('/'));
      if (rule.test(file) || parentHit) matched = !rule.negate;
    }
    return matched;
  };
}

/** Every file of a checked-out repository as a sorted, relative POSIX path; skips .git, .terraform and links leading out. */
export async function listRepoFiles(root: string): Promise<string[]> {
  return listCheckoutFiles(root, SKIPPED_DIRS);
}

function discoveryApplies(config: RepoConfig | null): boolean {
  if (config === null) return true;
  const mode = config.autodiscover.mode;
  return mode === 'enabled' || (mode === 'auto' && config.projects.length === 0);
}

/** Config projects in file order; a glob dir becomes one unnamed project per matching terraform dir. */
function configProjects(config: RepoConfig, repoFiles: string[]): RepoProject[] {
  const tfDirs = [...terraformDirs(repoFiles)].sort();
  const seen = new Set<string>();
  const out: RepoProject[] = [];
  const explicit = config.projects.filter((p) => !isGlobDir(p.dir));
  for (const p of explicit) seen.add(`${p.dir}\0${p.workspace}`);
  for (const p of config.projects) {
    if (!isGlobDir(p.dir)) {
      out.push(toRepoProject(p.dir, p.workspace, p.name, p));
      continue;
    }
    const matches = picomatch(p.dir);
    for (const dir of tfDirs.filter((d) => matches(d) && !seen.has(`${d}\0${p.workspace}`))) {
      seen.add(`${dir}\0${p.workspace}`);
      out.push(toRepoProject(dir, p.workspace, null, { ...p, dir }));
    }
  }
  return out;
}

/** Directories holding terraform files, leaving out hidden directories (.git, .terraform, …). */
function terraformDirs(repoFiles: string[]): Set<string> {
  const dirs = new Set<string>();
  for (const file of repoFiles) {
    const normalized = posix.normalize(file);
    if (!TF_FILE.test(normalized)) continue;
    const dir = posix.dirname(normalized);
    if (dir === '..' || dir.startsWith('../') || dir.split('/').some((s) => s.startsWith('.') && s !== '.')) continue;
    dirs.add(dir);
  }
  return dirs;
}

/** The dir a modified file plans: its own, or the one above `modules/` (null when that holds no terraform). */
function projectDirOf(file: string, tfDirs: Set<string>): string | null {
  const dir = posix.dirname(file);
  const segments = dir === '.' ? [] : dir.split('/');
  const modules = segments.indexOf('modules');
  if (modules < 0) return dir;
  const parent = modules === 0 ? '.' : segments.slice(0, modules).join('/');
  return tfDirs.has(parent) ? parent : null;
}

function toRepoProject(dir: string, workspace: string, name: string | null, config: ProjectConfig | null): RepoProject {
  return { key: `${dir}/${workspace}/${name ?? ''}`, dir, workspace, name, config };
}
