import type { ProjectRepository } from '../projects/project.repository.js';
import { derivedStateName } from './derived-state-name.js';
import type { ResolvedTarget } from './resolve-targets.js';

export { derivedStateName } from './derived-state-name.js';

export interface LinkedTarget extends ResolvedTarget {
  projectId: string | null;
  environmentId: string | null;
  stateName: string;
  autoApply: boolean;
}

/** Normalises https://github.com/org/infra(.git) and org/infra to `org/infra`. */
export function repoFullNameOf(repositoryUrl: string): string {
  return repositoryUrl.replace(/^https?:\/\/[^/]+\//, '').replace(/\.git$/, '').replace(/\/+$/, '').toLowerCase();
}

/**
 * Links repo projects to registered Atlantas projects (same repository, path and workspace). The
 * state Atlantas keeps a project's state under is the registered project's name, else one derived
 * from repo, dir and project name (derived-state-name.ts).
 */
export class RegisteredProjects {
  constructor(private readonly deps: { projects: ProjectRepository }) {}

  async link(tenantId: string, repoFullName: string, targets: ResolvedTarget[]): Promise<LinkedTarget[]> {
    const rows = await this.deps.projects.list(tenantId);
    const candidates = rows.filter((p) => p.repositoryUrl && repoFullNameOf(p.repositoryUrl) === repoFullName.toLowerCase());
    return targets.map((t) => {
      const p = candidates.find((c) => c.terraformPath === t.dir && c.workspace === t.workspace);
      return {
        ...t,
        projectId: p?.id ?? null,
        environmentId: p?.environmentId ?? null,
        stateName: p?.name ?? derivedStateName(repoFullName, t.dir, t.projectName),
        autoApply: p?.autoApply ?? false,
      };
    });
  }
}
