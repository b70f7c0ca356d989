import type { Sequelize, Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { defined, translateConstraints } from '../db/unique.js';
import type { EnvironmentRepository } from '../environments/environment.repository.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { InstanceRepository } from '../instances/instance.repository.js';
import type { ProjectDependency } from './project-dependency.model.js';
import type { ProjectDependencyRepository } from './project-dependency.repository.js';
import type { Project } from './project.model.js';
import type { ProjectRepository } from './project.repository.js';
import type { AddDependencyInput, CreateProjectInput, LayoutInput, UpdateProjectInput } from './project.schemas.js';
import { buildGraph, type ProjectGraph } from './project-graph.js';

interface Deps {
  sequelize: Sequelize;
  repo: ProjectRepository;
  dependencies: ProjectDependencyRepository;
  instances: InstanceRepository;
  environments: EnvironmentRepository;
  audit: AuditLog;
  /** who may point a project at a cloud credential, and at which */
  credentials: CredentialAssignment;
}

/** Only an admin sets or clears a project's or environment's credential, and only to one of the tenant's (an environment's: of its cloud). */
export interface CredentialAssignment {
  assertAssignable(actor: Actor, credentialId: string, transaction?: Transaction, provider?: { cloud: string; environment: string }): Promise<void>;
}

/** Terraform projects mapped to repositories, their instance assignment and dependencies. */
export class ProjectsService {
  constructor(private readonly deps: Deps) {}

  async list(actor: Actor): Promise<Project[]> {
    requirePermission(actor, 'project:read');
    return this.deps.repo.list(actor.tenantId);
  }

  /** A project by id or name, in the caller's tenant; NotFoundError otherwise (also across tenants). */
  async require(actor: Actor, ref: string, transaction?: Transaction): Promise<Project> {
    requirePermission(actor, 'project:read');
    const project = await this.deps.repo.findByRef(actor.tenantId, ref, transaction);
    if (!project) throw new NotFoundError(`project ${ref} not found`, { code: 'project_not_found' });
    return project;
  }

  async dependenciesOf(actor: Actor, projectId: string): Promise<ProjectDependency[]> {
    await this.require(actor, projectId);
    return this.deps.dependencies.listOf(actor.tenantId, projectId);
  }

  async create(actor: Actor, input: CreateProjectInput): Promise<Project> {
    requirePermission(actor, 'project:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      if (input.environment_id) await this.assertEnvironment(actor, input.environment_id, transaction);
      if (input.cloud_credential_id) await this.assertCredential(actor, input.cloud_credential_id, transaction);
      const project = await translateConstraints(`project "${input.name}"`, () =>
        this.deps.repo.insert(
          {
            tenantId: actor.tenantId, name: input.name, repositoryUrl: input.repository_url, terraformPath: input.terraform_path,
            workspace: input.workspace, branch: input.branch, stateBackend: input.state_backend, autoApply: input.auto_apply, requiresChange: input.requires_change ?? false,
            environmentId: input.environment_id ?? null, slackChannel: input.slack_channel ?? null, notifyEvents: input.notify_events ?? null, criticality: input.criticality ?? null,
            cloudCredentialId: input.cloud_credential_id ?? null,
          },
          transaction,
        ),
      );
      await this.deps.audit.record(actor, 'project.create', { type: 'project', id: project.id }, { name: input.name }, { transaction });
      return project;
    });
  }

  async update(actor: Actor, id: string, input: UpdateProjectInput): Promise<Project> {
    requirePermission(actor, 'project:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const before = await this.find(actor, id, transaction);
      if (input.environment_id) await this.assertEnvironment(actor, input.environment_id, transaction);
      if (input.cloud_credential_id !== undefined && input.cloud_credential_id !== before.cloudCredentialId) await this.assertCredential(actor, input.cloud_credential_id, transaction);
      const changes = defined({
        name: input.name, repositoryUrl: input.repository_url, terraformPath: input.terraform_path, workspace: input.workspace,
        branch: input.branch, stateBackend: input.state_backend, autoApply: input.auto_apply, requiresChange: input.requires_change, environmentId: input.environment_id,
        slackChannel: input.slack_channel, notifyEvents: input.notify_events, criticality: input.criticality, cloudCredentialId: input.cloud_credential_id,
      });
      const project = await translateConstraints(`project "${input.name}"`, () => this.deps.repo.update(actor.tenantId, id, changes, transaction));
      if (!project) throw notFound(id);
      await this.deps.audit.record(actor, 'project.update', { type: 'project', id }, { ...input }, { transaction });
      return project;
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'project:write');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const project = await this.find(actor, id, transaction);
      await this.deps.repo.delete(actor.tenantId, project.id, transaction);
      await this.deps.audit.record(actor, 'project.delete', { type: 'project', id }, { name: project.name }, { transaction });
    });
  }

  async assign(actor: Actor, id: string, instanceId: string | null): Promise<Project> {
    requirePermission(actor, 'project:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.find(actor, id, transaction);
      if (instanceId && !(await this.deps.instances.exists(actor.tenantId, instanceId, transaction))) throw new NotFoundError(`instance ${instanceId} not found`);
      const project = await this.deps.repo.update(actor.tenantId, id, { instanceId }, transaction);
      if (!project) throw notFound(id);
      await this.deps.audit.record(actor, instanceId ? 'project.assign' : 'project.unassign', { type: 'project', id }, { instance_id: instanceId }, { transaction });
      return project;
    });
  }

  async addDependency(actor: Actor, id: string, input: AddDependencyInput): Promise<ProjectDependency> {
    requirePermission(actor, 'project:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const project = await this.find(actor, id, transaction);
      await this.find(actor, input.depends_on_project_id, transaction);
      if (project.id === input.depends_on_project_id) throw new InputError('a project cannot depend on itself', { code: 'dependency_cycle' });
      // Lock the tenant's edges so two concurrent additions cannot close a cycle between them.
      const edges = await this.deps.dependencies.listAll(actor.tenantId, transaction);
      if (reaches(edges, input.depends_on_project_id, project.id)) {
        throw new ConflictError('this dependency would create a cycle', { code: 'dependency_cycle' });
      }
      const dependency = await translateConstraints('this dependency', () =>
        this.deps.dependencies.insert(
          { tenantId: actor.tenantId, projectId: project.id, dependsOnProjectId: input.depends_on_project_id, outputMapping: input.output_mapping },
          transaction,
        ),
      );
      await this.deps.audit.record(actor, 'project.dependency.add', { type: 'project', id: project.id }, { depends_on: input.depends_on_project_id }, { transaction });
      return dependency;
    });
  }

  async removeDependency(actor: Actor, id: string, dependencyId: string): Promise<void> {
    requirePermission(actor, 'project:write');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const project = await this.find(actor, id, transaction);
      const dependency = isUuid(dependencyId) ? await this.deps.dependencies.findOf(actor.tenantId, project.id, dependencyId, transaction) : null;
      if (!dependency) throw new NotFoundError(`dependency ${dependencyId} not found`);
      await this.deps.dependencies.delete(dependency.id, transaction);
      await this.deps.audit.record(actor, 'project.dependency.remove', { type: 'project', id: project.id }, { dependency_id: dependency.id }, { transaction });
    });
  }

  async graph(actor: Actor): Promise<ProjectGraph> {
    requirePermission(actor, 'project:read');
    const [projects, instances, dependencies] = await Promise.all([
      this.deps.repo.list(actor.tenantId),
      this.deps.instances.list(actor.tenantId),
      this.deps.dependencies.listAll(actor.tenantId),
    ]);
    return buildGraph(projects, instances, dependencies);
  }

  /** Saves node positions; all or nothing, and every id must be a project or instance of the tenant. */
  async saveLayout(actor: Actor, layout: LayoutInput): Promise<{ updated: number }> {
    requirePermission(actor, 'project:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      let updated = 0;
      const unknown: string[] = [];
      for (const node of layout) {
        const position = { positionX: node.position_x, positionY: node.position_y };
        const moved =
          (await this.deps.repo.setPosition(actor.tenantId, node.id, position, transaction)) ||
          (await this.deps.instances.setPosition(actor.tenantId, node.id, position, transaction));
        if (moved) updated++;
        else unknown.push(node.id);
      }
      if (unknown.length) throw new NotFoundError(`no project or instance with id ${unknown.join(', ')}`);
      await this.deps.audit.record(actor, 'project.graph.layout', { type: 'graph' }, { nodes: updated }, { transaction });
      return { updated };
    });
  }

  /** Setting or clearing a cloud credential is an admin's decision (null: clearing it). */
  private async assertCredential(actor: Actor, credentialId: string | null, transaction: Transaction): Promise<void> {
    if (credentialId) await this.deps.credentials.assertAssignable(actor, credentialId, transaction);
    else requirePermission(actor, 'credential:manage');
  }

  private async find(actor: Actor, id: string, transaction: Transaction): Promise<Project> {
    const project = await this.deps.repo.findById(actor.tenantId, id, transaction);
    if (!project) throw notFound(id);
    return project;
  }

  private async assertEnvironment(actor: Actor, id: string, transaction: Transaction): Promise<void> {
    if (!(await this.deps.environments.exists(actor.tenantId, id, transaction))) throw new NotFoundError(`environment ${id} not found`);
  }
}

const notFound = (id: string) => new NotFoundError(`project ${id} not found`, { code: 'project_not_found' });

/** Is `to` reachable from `from` following "depends on" edges? */
function reaches(edges: ProjectDependency[], from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.projectId, [...(next.get(e.projectId) ?? []), e.dependsOnProjectId]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}
