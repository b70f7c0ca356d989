import { Op, type Sequelize, type Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { defined, translateConstraints } from '../db/unique.js';
import type { EnvironmentModel } from '../environments/environment.model.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { InstanceModel } from '../instances/instance.model.js';
import type { ProjectDependency, ProjectDependencyModel } from './project-dependency.model.js';
import type { Project, ProjectModel } from './project.model.js';
import type { AddDependencyInput, CreateProjectInput, LayoutInput, UpdateProjectInput } from './project.schemas.js';
import { buildGraph, type ProjectGraph } from './project-graph.js';

interface Deps {
  sequelize: Sequelize;
  projects: ProjectModel;
  dependencies: ProjectDependencyModel;
  instances: InstanceModel;
  environments: EnvironmentModel;
  audit: AuditLog;
}

/** Terraform projects mapped to repositories, their instance assignment and dependencies. */
export class ProjectsService {
  constructor(private readonly deps: Deps) {}

  async list(actor: Actor): Promise<Project[]> {
    requirePermission(actor, 'project:read');
    const rows = await this.deps.projects.findAll({ where: { tenantId: actor.tenantId }, order: [['name', 'ASC']] });
    return rows.map((r) => r.get({ plain: true }));
  }

  /** A project by id or name, in the caller's tenant; NotFoundError otherwise (also across tenants). */
  async require(actor: Actor, ref: string, transaction?: Transaction): Promise<Project> {
    requirePermission(actor, 'project:read');
    const where = isUuid(ref) ? { tenantId: actor.tenantId, [Op.or]: [{ id: ref }, { name: ref }] } : { tenantId: actor.tenantId, name: ref };
    const row = await this.deps.projects.findOne({ where, transaction });
    if (!row) throw new NotFoundError(`project ${ref} not found`, { code: 'project_not_found' });
    return row.get({ plain: true });
  }

  async dependenciesOf(actor: Actor, projectId: string): Promise<ProjectDependency[]> {
    await this.require(actor, projectId);
    const rows = await this.deps.dependencies.findAll({ where: { projectId, tenantId: actor.tenantId } });
    return rows.map((r) => r.get({ plain: true }));
  }

  async create(actor: Actor, input: CreateProjectInput): Promise<Project> {
    requirePermission(actor, 'project:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      if (input.environment_id) await this.assertOwned(this.deps.environments, actor, input.environment_id, 'environment', transaction);
      const row = await translateConstraints(`project "${input.name}"`, () =>
        this.deps.projects.create(
          {
            tenantId: actor.tenantId, name: input.name, repositoryUrl: input.repository_url, terraformPath: input.terraform_path,
            workspace: input.workspace, branch: input.branch, stateBackend: input.state_backend, autoApply: input.auto_apply,
            environmentId: input.environment_id ?? null,
          },
          { transaction },
        ),
      );
      await this.deps.audit.record(actor, 'project.create', { type: 'project', id: row.getDataValue('id') }, { name: input.name }, { transaction });
      return row.get({ plain: true });
    });
  }

  async update(actor: Actor, id: string, input: UpdateProjectInput): Promise<Project> {
    requirePermission(actor, 'project:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await this.findRow(actor, id, transaction);
      if (input.environment_id) await this.assertOwned(this.deps.environments, actor, input.environment_id, 'environment', transaction);
      await translateConstraints(`project "${input.name}"`, () =>
        row.update(
          defined({
            name: input.name, repositoryUrl: input.repository_url, terraformPath: input.terraform_path, workspace: input.workspace,
            branch: input.branch, stateBackend: input.state_backend, autoApply: input.auto_apply, environmentId: input.environment_id,
          }),
          { transaction },
        ),
      );
      await this.deps.audit.record(actor, 'project.update', { type: 'project', id }, { ...input }, { transaction });
      return row.get({ plain: true });
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'project:write');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await this.findRow(actor, id, transaction);
      await row.destroy({ transaction }); // dependency rows go with it (ON DELETE CASCADE)
      await this.deps.audit.record(actor, 'project.delete', { type: 'project', id }, { name: row.getDataValue('name') }, { transaction });
    });
  }

  async assign(actor: Actor, id: string, instanceId: string | null): Promise<Project> {
    requirePermission(actor, 'project:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await this.findRow(actor, id, transaction);
      if (instanceId) await this.assertOwned(this.deps.instances, actor, instanceId, 'instance', transaction);
      await row.update({ instanceId }, { transaction });
      await this.deps.audit.record(actor, instanceId ? 'project.assign' : 'project.unassign', { type: 'project', id }, { instance_id: instanceId }, { transaction });
      return row.get({ plain: true });
    });
  }

  async addDependency(actor: Actor, id: string, input: AddDependencyInput): Promise<ProjectDependency> {
    requirePermission(actor, 'project:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const project = await this.findRow(actor, id, transaction);
      await this.findRow(actor, input.depends_on_project_id, transaction);
      if (project.getDataValue('id') === input.depends_on_project_id) throw new InputError('a project cannot depend on itself', { code: 'dependency_cycle' });
      // Lock the tenant's edges so two concurrent additions cannot close a cycle between them.
      const edges = await this.deps.dependencies.findAll({ where: { tenantId: actor.tenantId }, transaction, lock: transaction.LOCK.UPDATE });
      if (reaches(edges.map((e) => e.get({ plain: true })), input.depends_on_project_id, project.getDataValue('id'))) {
        throw new ConflictError('this dependency would create a cycle', { code: 'dependency_cycle' });
      }
      const row = await translateConstraints('this dependency', () =>
        this.deps.dependencies.create(
          { tenantId: actor.tenantId, projectId: project.getDataValue('id'), dependsOnProjectId: input.depends_on_project_id, outputMapping: input.output_mapping },
          { transaction },
        ),
      );
      await this.deps.audit.record(actor, 'project.dependency.add', { type: 'project', id: project.getDataValue('id') }, { depends_on: input.depends_on_project_id }, { transaction });
      return row.get({ plain: true });
    });
  }

  async removeDependency(actor: Actor, id: string, dependencyId: string): Promise<void> {
    requirePermission(actor, 'project:write');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const project = await this.findRow(actor, id, transaction);
      const where = { projectId: project.getDataValue('id'), tenantId: actor.tenantId, [Op.or]: [{ id: dependencyId }, { dependsOnProjectId: dependencyId }] };
      const row = isUuid(dependencyId) ? await this.deps.dependencies.findOne({ where, transaction }) : null;
      if (!row) throw new NotFoundError(`dependency ${dependencyId} not found`);
      await row.destroy({ transaction });
      await this.deps.audit.record(actor, 'project.dependency.remove', { type: 'project', id: project.getDataValue('id') }, { dependency_id: row.getDataValue('id') }, { transaction });
    });
  }

  async graph(actor: Actor): Promise<ProjectGraph> {
    requirePermission(actor, 'project:read');
    const where = { tenantId: actor.tenantId };
    const [projects, instances, dependencies] = await Promise.all([
      this.deps.projects.findAll({ where, order: [['name', 'ASC']] }),
      this.deps.instances.findAll({ where, order: [['name', 'ASC']] }),
      this.deps.dependencies.findAll({ where }),
    ]);
    return buildGraph(
      projects.map((p) => p.get({ plain: true })),
      instances.map((i) => i.get({ plain: true })),
      dependencies.map((d) => d.get({ plain: true })),
    );
  }

  /** Saves node positions; all or nothing, and every id must be a project or instance of the tenant. */
  async saveLayout(actor: Actor, layout: LayoutInput): Promise<{ updated: number }> {
    requirePermission(actor, 'project:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      let updated = 0;
      const unknown: string[] = [];
      for (const node of layout) {
        const values = { positionX: node.position_x, positionY: node.position_y };
        const where = { id: node.id, tenantId: actor.tenantId };
        const [n] = await this.deps.projects.update(values, { where, transaction });
        const [m] = n ? [0] : await this.deps.instances.update(values, { where, transaction });
        if (n + m === 0) unknown.push(node.id);
        updated += n + m;
      }
      if (unknown.length) throw new NotFoundError(`no project or instance with id ${unknown.join(', ')}`);
      await this.deps.audit.record(actor, 'project.graph.layout', { type: 'graph' }, { nodes: updated }, { transaction });
      return { updated };
    });
  }

  private async findRow(actor: Actor, id: string, transaction: Transaction) {
    const row = isUuid(id) ? await this.deps.projects.findOne({ where: { id, tenantId: actor.tenantId }, transaction }) : null;
    if (!row) throw new NotFoundError(`project ${id} not found`, { code: 'project_not_found' });
    return row;
  }

  private async assertOwned(model: InstanceModel | EnvironmentModel, actor: Actor, id: string, what: string, transaction: Transaction): Promise<void> {
    const where = { id, tenantId: actor.tenantId };
    const n = model === this.deps.instances ? await this.deps.instances.count({ where, transaction }) : await this.deps.environments.count({ where, transaction });
    if (!n) throw new NotFoundError(`${what} ${id} not found`);
  }
}

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
