import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';

export const CLOUD_PROVIDERS = ['aws', 'gcp', 'azure', 'hetzner', 'digitalocean'] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

export interface Environment {
  id: string;
  tenantId: string;
  name: string;
  cloudProvider: CloudProvider;
  region: string;
  terraformWorkspace: string;
  repositoryUrl: string;
  instanceId: string | null;
  driftStatus: string;
  lastDriftCheckAt: Date | null;
  /** the cloud credential runs of its projects get when the project names none */
  cloudCredentialId: string | null;
  createdAt: Date;
  updatedAt: Date;
}
type Creation = Optional<
  Environment,
  'id' | 'region' | 'terraformWorkspace' | 'repositoryUrl' | 'instanceId' | 'driftStatus' | 'lastDriftCheckAt' | 'cloudCredentialId' | 'createdAt' | 'updatedAt'
>;
export type EnvironmentModel = ModelStatic<Model<Environment, Creation>>;

export function defineEnvironmentModel(sequelize: Sequelize): EnvironmentModel {
  return sequelize.define<Model<Environment, Creation>>(
    'Environment',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      cloudProvider: { type: DataTypes.TEXT, allowNull: false },
      region: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      terraformWorkspace: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'default' },
      repositoryUrl: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      instanceId: DataTypes.UUID,
      driftStatus: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'unknown' },
      lastDriftCheckAt: DataTypes.DATE,
      cloudCredentialId: DataTypes.UUID,
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { tableName: 'environments', underscored: true },
  );
}
