import type { Actor } from '../actor.js';
import { ConflictError } from '../errors.js';
import { CreateProjectInput, UpdateProjectInput } from '../projects/project.schemas.js';
import type { Project } from '../projects/project.model.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import type { TfeWorkspaceRepository } from './tfe-workspace.repository.js';
import type { TfeWorkspacesService } from './tfe-workspaces.service.js';

export interface TfeProjectView {
  project: Project;
  organization: string;
  workspaceCount: number;
}

/**
 * TFE projects ARE Atlantas projects: a workspace's `project` relationship already names one (its
 * state is that project's), so the TFE API lists, creates, renames and deletes those, under the
 * projects service's own rules. One made here has no repository yet; its settings are Atlantas's.
 */
export class TfeProjectsService {
  constructor(private readonly deps: { projects: ProjectsService; workspaces: TfeWorkspacesService; repo: TfeWorkspaceRepository; tenants: TenantsService }) {}

  async list(actor: Actor, org: string, q: { name?: string } = {}): Promise<TfeProjectView[]> {
    const tenant = await this.deps.workspaces.organization(actor, org);
    const projects = (await this.deps.projects.list(actor)).filter((p) => !q.name || p.name.toLowerCase().includes(q.name.toLowerCase()));
    return Promise.all(projects.map((p) => this.view(actor, tenant.slug, p)));
  }

  async create(actor: Actor, org: string, name: string): Promise<TfeProjectView> {
    const tenant = await this.deps.workspaces.organization(actor, org);
    return this.view(actor, tenant.slug, await this.deps.projects.create(actor, CreateProjectInput.parse({ name })));
  }

  async get(actor: Actor, id: string): Promise<TfeProjectView> {
    return this.view(actor, await this.slug(actor), await this.deps.projects.require(actor, id));
  }

  async rename(actor: Actor, id: string, name: string | undefined): Promise<TfeProjectView> {
    const project = await this.deps.projects.require(actor, id);
    const updated = name && name !== project.name ? await this.deps.projects.update(actor, project.id, UpdateProjectInput.parse({ name })) : project;
    return this.view(actor, await this.slug(actor), updated);
  }

  /** Refused while workspaces are in it (as TFE does); the projects service decides the rest. */
  async delete(actor: Actor, id: string): Promise<void> {
    const project = await this.deps.projects.require(actor, id);
    const { total } = await this.deps.repo.list(actor.tenantId, { projectId: project.id, limit: 1, offset: 0 });
    if (total > 0) throw new ConflictError(`project "${project.name}" still has ${total} workspace(s); move or delete them first`, { code: 'project_not_empty' });
    await this.deps.projects.delete(actor, project.id);
  }

  private async view(actor: Actor, organization: string, project: Project): Promise<TfeProjectView> {
    const { total } = await this.deps.repo.list(actor.tenantId, { projectId: project.id, limit: 1, offset: 0 });
    return { project, organization, workspaceCount: total };
  }

  private async slug(actor: Actor): Promise<string> {
    return (await this.deps.tenants.require(actor.tenantId)).slug;
  }
}
