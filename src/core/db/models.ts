import type { Sequelize } from 'sequelize';
import { defineTenantModel } from '../tenants/tenant.model.js';
import { defineUserModel } from '../auth/user.model.js';
import { defineApiTokenModel } from '../auth/api-token.model.js';
import { defineAuditEntryModel } from '../audit/audit-entry.model.js';
import { defineInstanceModel } from '../instances/instance.model.js';
import { defineEnvironmentModel } from '../environments/environment.model.js';
import { defineProjectModel } from '../projects/project.model.js';
import { defineProjectDependencyModel } from '../projects/project-dependency.model.js';
import { defineRunModel } from '../runs/run.model.js';
import { defineProjectLockModel } from '../locks/project-lock.model.js';
import { defineStateModel } from '../state/state.model.js';
import { defineStateVersionModel } from '../state/state-version.model.js';
import { defineAgentModel } from '../agents/agent.model.js';

/** Models are defined per connection (not Model.init on shared classes), so apps never share state. */
export function defineModels(sequelize: Sequelize) {
  return {
    Tenant: defineTenantModel(sequelize),
    User: defineUserModel(sequelize),
    ApiToken: defineApiTokenModel(sequelize),
    AuditEntry: defineAuditEntryModel(sequelize),
    Instance: defineInstanceModel(sequelize),
    Environment: defineEnvironmentModel(sequelize),
    Project: defineProjectModel(sequelize),
    ProjectDependency: defineProjectDependencyModel(sequelize),
    Run: defineRunModel(sequelize),
    ProjectLock: defineProjectLockModel(sequelize),
    State: defineStateModel(sequelize),
    StateVersion: defineStateVersionModel(sequelize),
    Agent: defineAgentModel(sequelize),
  };
}

export type Models = ReturnType<typeof defineModels>;
