import { Op, type Transaction } from 'sequelize';
import { PositionedTenantRows } from '../db/tenant-rows.js';
import { isUuid } from '../ids.js';
import type { Project } from './project.model.js';

type Writable = 'name' | 'repositoryUrl' | 'terraformPath' | 'workspace' | 'branch' | 'stateBackend' | 'autoApply' | 'requiresChange' | 'environmentId' | 'instanceId' | 'slackChannel' | 'notifyEvents' | 'criticality' | 'cloudCredentialId';
export type NewProject = Pick<Project, 'tenantId' | 'name'> & Partial<Pick<Project, Writable>>;
export type ProjectChanges = Partial<Pick<Project, Writable>>;

/** Queries on projects, always within one tenant; plain objects out. Its dependency rows go with a deleted project (ON DELETE CASCADE). */
export class ProjectRepository extends PositionedTenantRows<Project, NewProject, ProjectChanges> {
  /** By id or by name. */
  async findByRef(tenantId: string, ref: string, transaction?: Transaction): Promise<Project | null> {
    const where = isUuid(ref) ? { tenantId, [Op.or]: [{ id: ref }, { name: ref }] } : { tenantId, name: ref };
    const row = await this.deps.model.findOne({ where, transaction });
    return row ? row.get({ plain: true }) : null;
  }
}
