import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';

/** A project's criticality, most to least. */
export const CRITICALITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export interface Project {
  id: string;
  tenantId: string;
  name: string;
  repositoryUrl: string;
  terraformPath: string;
  workspace: string;
  branch: string;
  stateBackend: string;
  autoApply: boolean;
  /** applies only inside the window of an approved ITSM change request (core/itsm) */
  requiresChange: boolean;
  instanceId: string | null;
  environmentId: string | null;
  positionX: number | null;
  positionY: number | null;
  /** where this project's notifications go (a Slack channel id or name); the tenant's default when null */
  slackChannel: string | null;
  /** the notification kinds this project sends; null = every kind, [] = none */
  notifyEvents: string[] | null;
  /** how much an incident on it matters: automatic incidents take their severity from it (ATLANTAS_INCIDENT_SEVERITY); null = the default */
  criticality: Criticality | null;
  /** the cloud credential its runs get (else its environment's) */
  cloudCredentialId: string | null;
  createdAt: Date;
  updatedAt: Date;
}
type Creation = Optional<
  Project,
  | 'id' | 'repositoryUrl' | 'terraformPath' | 'workspace' | 'branch' | 'stateBackend' | 'autoApply' | 'requiresChange'
  | 'instanceId' | 'environmentId' | 'positionX' | 'positionY' | 'slackChannel' | 'notifyEvents' | 'criticality' | 'cloudCredentialId' | 'createdAt' | 'updatedAt'
>;
export type ProjectModel = ModelStatic<Model<Project, Creation>>;

export function defineProjectModel(sequelize: Sequelize): ProjectModel {
  return sequelize.define<Model<Project, Creation>>(
    'Project',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      repositoryUrl: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      terraformPath: { type: DataTypes.TEXT, allowNull: false, defaultValue: '.' },
      workspace: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'default' },
      branch: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'main' },
      stateBackend: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'platform' },
      autoApply: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      requiresChange: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      instanceId: DataTypes.UUID,
      environmentId: DataTypes.UUID,
      positionX: DataTypes.DOUBLE,
      positionY: DataTypes.DOUBLE,
      slackChannel: DataTypes.TEXT,
      notifyEvents: DataTypes.ARRAY(DataTypes.TEXT),
      criticality: DataTypes.TEXT,
      cloudCredentialId: DataTypes.UUID,
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { tableName: 'projects', underscored: true },
  );
}
