import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';

import type { AgentType } from './agent-types.js';

export type { AgentType };

/** A tenant's cron agent: what it does (type + config), on what (targets), and when (schedule in timezone). */
export interface Agent {
  id: string;
  tenantId: string;
  name: string;
  agentType: AgentType;
  schedule: string;
  timezone: string;
  isActive: boolean;
  config: Record<string, unknown>;
  targetProjectId: string | null;
  targetEnvironmentId: string | null;
  targetInstanceId: string | null;
  /** slots at or before this are done (or were before the agent was activated): the next run is the first slot after it */
  scheduleAnchor: Date;
  createdAt: Date;
  updatedAt: Date;
}
type Creation = Optional<Agent, 'id' | 'timezone' | 'isActive' | 'config' | 'targetProjectId' | 'targetEnvironmentId' | 'targetInstanceId' | 'createdAt' | 'updatedAt'>;
export type AgentModel = ModelStatic<Model<Agent, Creation>>;

export function defineAgentModel(sequelize: Sequelize): AgentModel {
  return sequelize.define<Model<Agent, Creation>>(
    'Agent',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      agentType: { type: DataTypes.TEXT, allowNull: false },
      schedule: { type: DataTypes.TEXT, allowNull: false },
      timezone: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'UTC' },
      isActive: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      config: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      targetProjectId: DataTypes.UUID,
      targetEnvironmentId: DataTypes.UUID,
      targetInstanceId: DataTypes.UUID,
      scheduleAnchor: { type: DataTypes.DATE, allowNull: false },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { tableName: 'agents', underscored: true },
  );
}
