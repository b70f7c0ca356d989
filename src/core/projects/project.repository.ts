import { Op, type Transaction } from 'sequelize';
import { isUuid } from '../ids.js';
import type { Project, ProjectModel } from './project.model.js';

type Writable = 'name' | 'repositoryUrl' | 'terraformPath' | 'workspace' | 'branch' | 'stateBackend' | 'autoApply' | 'environmentId' | 'instanceId';
export type NewProject = Pick<Project, 'tenantId' | 'name'> & Partial<Pick<Project, Writable>>;
export type ProjectChanges = Partial<Pick<Project, Writable>>;

/** Queries on projects, always within one tenant; plain objects out. */
export class ProjectRepository {
  constructor(private readonly deps: { model: ProjectModel }) {}

  /** By name. */
  async list(tenantId: string): Promise<Project[]> {
    const rows = await this.deps.model.findAll({ where: { tenantId }, order: [['name', 'ASC']] });
    return rows.map((r) => r.get({ plain: true }));
  }

  /** By id or by name. */
  async findByRef(tenantId: string, ref: string, transaction?: Transaction): Promise<Project | null> {
    const where = isUuid(ref) ? { tenantId, [Op.or]: [{ id: ref }, { name: ref }] } : { tenantId, name: ref };
    const row = await this.deps.model.findOne({ where, transaction });
    return row ? row.get({ plain: true }) : null;
  }

  /** null for an id that is not a UUID, or a project of another tenant. */
  async findById(tenantId: string, id: string, transaction?: Transaction): Promise<Project | null> {
    const row = isUuid(id) ? await this.deps.model.findOne({ where: { id, tenantId }, transaction }) : null;
    return row ? row.get({ plain: true }) : null;
  }

  async insert(values: NewProject, transaction: Transaction): Promise<Project> {
    return (await this.deps.model.create(values, { transaction })).get({ plain: true });
  }

  /** Applies `changes` (undefined keys left alone) and returns the row as it now is; null when it is gone. */
  async update(tenantId: string, id: string, changes: ProjectChanges, transaction: Transaction): Promise<Project | null> {
    const row = await this.deps.model.findOne({ where: { id, tenantId }, transaction });
    if (!row) return null;
    await row.update(changes, { transaction });
    return row.get({ plain: true });
  }

  /** Its dependency rows go with it (ON DELETE CASCADE). */
  async delete(tenantId: string, id: string, transaction: Transaction): Promise<void> {
    await this.deps.model.destroy({ where: { id, tenantId }, transaction });
  }

  /** Moves a graph node; false when no project of the tenant has this id. */
  async setPosition(tenantId: string, id: string, position: Pick<Project, 'positionX' | 'positionY'>, transaction: Transaction): Promise<boolean> {
    const [n] = await this.deps.model.update(position, { where: { id, tenantId }, transaction });
    return n > 0;
  }
}
