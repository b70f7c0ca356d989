import type { Actor } from '../actor.js';
import { InputError } from '../errors.js';
import type { EnvironmentsService } from '../environments/environments.service.js';
import type { InstancesService } from '../instances/instances.service.js';
import type { Project } from '../projects/project.model.js';
import type { ProjectsService } from '../projects/projects.service.js';
import { repoFullNameOf } from '../commands/registered-projects.js';
import type { TargetSelection } from '../commands/resolve-targets.js';

/**
 * What a caller asks to check: a registered project, an environment's or an instance's projects,
 * all of the tenant's, or (the Atlantis API) projects of a repository at a ref.
 */
export type DriftTargets =
  | { kind: 'project'; project: string }
  | { kind: 'environment'; environmentId: string }
  | { kind: 'instance'; instanceId: string }
  | { kind: 'all' }
  | { kind: 'repository'; repository: string; ref: string; projects?: string[]; paths?: { dir?: string; workspace?: string }[] };

/** One repository at one ref, and which of its projects: one command's worth of a check. */
export interface RepoSelection {
  repoFullName: string;
  ref: string;
  selection: TargetSelection;
}

export interface TargetDeps {
  projects: ProjectsService;
  environments: EnvironmentsService;
  instances: InstancesService;
}

/** Groups the asked-for projects by repository and branch (a registered project is checked at its branch). */
export async function resolveDriftTargets(deps: TargetDeps, actor: Actor, t: DriftTargets): Promise<RepoSelection[]> {
  if (t.kind === 'repository') {
    const explicit = !!(t.projects?.length || t.paths?.length);
    return [{ repoFullName: t.repository, ref: t.ref, selection: explicit ? { projects: t.projects, paths: t.paths } : { all: true } }];
  }
  const projects = await registeredProjects(deps, actor, t);
  const runnable = projects.filter((p) => p.repositoryUrl);
  if (!runnable.length) {
    throw new InputError(`${describe(t)} has no project with a repository_url to check; register one (POST /api/v1/projects) first`, { code: 'drift.no_projects' });
  }
  const groups = new Map<string, RepoSelection>();
  for (const p of runnable) {
    const repoFullName = repoFullNameOf(p.repositoryUrl);
    const key = `${repoFullName}\0${p.branch}`;
    const group = groups.get(key) ?? { repoFullName, ref: p.branch || 'main', selection: { paths: [] } };
    group.selection.paths!.push({ dir: p.terraformPath, workspace: p.workspace });
    groups.set(key, group);
  }
  return [...groups.values()];
}

async function registeredProjects(deps: TargetDeps, actor: Actor, t: Exclude<DriftTargets, { kind: 'repository' }>): Promise<Project[]> {
  if (t.kind === 'project') return [await deps.projects.require(actor, t.project)];
  if (t.kind === 'environment') {
    const env = await deps.environments.get(actor, t.environmentId); // NotFound across tenants
    return (await deps.projects.list(actor)).filter((p) => p.environmentId === env.id);
  }
  if (t.kind === 'instance') {
    const instance = await deps.instances.get(actor, t.instanceId);
    return (await deps.projects.list(actor)).filter((p) => p.instanceId === instance.id);
  }
  return deps.projects.list(actor);
}

function describe(t: Exclude<DriftTargets, { kind: 'repository' }>): string {
  if (t.kind === 'project') return `project ${t.project}`;
  if (t.kind === 'environment') return `environment ${t.environmentId}`;
  if (t.kind === 'instance') return `instance ${t.instanceId}`;
  return 'the tenant';
}
