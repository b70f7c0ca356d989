import { Op, type Transaction } from 'sequelize';
import type { ProjectDependency, ProjectDependencyModel } from './project-dependency.model.js';

export type NewProjectDependency = Pick<ProjectDependency, 'tenantId' | 'projectId' | 'dependsOnProjectId'> & Partial<Pick<ProjectDependency, 'outputMapping'>>;

/** Queries on the "depends on" edges between a tenant's projects; plain objects out. */
export class ProjectDependencyRepository {
  constructor(private readonly deps: { model: ProjectDependencyModel }) {}

  async listOf(tenantId: string, projectId: string): Promise<ProjectDependency[]> {
    const rows = await this.deps.model.findAll({ where: { projectId, tenantId } });
    return rows.map((r) => r.get({ plain: true }));
  }

  /** Every edge of the tenant; inside a transaction they stay locked until it ends. */
  async listAll(tenantId: string, transaction?: Transaction): Promise<ProjectDependency[]> {
    const rows = await this.deps.model.findAll({ where: { tenantId }, transaction, lock: transaction ? transaction.LOCK.UPDATE : undefined });
    return rows.map((r) => r.get({ plain: true }));
  }

  /** One edge of a project, by its own id or by the id of the project it depends on (a UUID either way). */
  async findOf(tenantId: string, projectId: string, ref: string, transaction: Transaction): Promise<ProjectDependency | null> {
    const row = await this.deps.model.findOne({ where: { projectId, tenantId, [Op.or]: [{ id: ref }, { dependsOnProjectId: ref }] }, transaction });
    return row ? row.get({ plain: true }) : null;
  }

  async insert(values: NewProjectDependency, transaction: Transaction): Promise<ProjectDependency> {
    return (await this.deps.model.create(values, { transaction })).get({ plain: true });
  }

  async delete(id: string, transaction: Transaction): Promise<void> {
    await this.deps.model.destroy({ where: { id }, transaction });
  }
}
