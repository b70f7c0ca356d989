import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';

export interface Tenant {
  id: string;
  name: string;
  slug: string;
  maxInstances: number;
  maxEnvironments: number;
  /** unresolved incidents at once (core/incidents) */
  maxIncidents: number;
  cpuQuota: string;
  memoryQuota: string;
  /** owner/repo patterns this tenant may run (the default tenant uses ATLANTAS_REPO_ALLOWLIST instead); empty = none */
  repoAllowlist: string[];
  createdAt: Date;
  updatedAt: Date;
}
type Creation = Optional<Tenant, 'id' | 'maxInstances' | 'maxEnvironments' | 'maxIncidents' | 'cpuQuota' | 'memoryQuota' | 'repoAllowlist' | 'createdAt' | 'updatedAt'>;
export type TenantModel = ModelStatic<Model<Tenant, Creation>>;

export function defineTenantModel(sequelize: Sequelize): TenantModel {
  return sequelize.define<Model<Tenant, Creation>>(
    'Tenant',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      name: { type: DataTypes.TEXT, allowNull: false },
      slug: { type: DataTypes.TEXT, allowNull: false },
      maxInstances: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 10 },
      maxEnvironments: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 20 },
      maxIncidents: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 500 },
      cpuQuota: { type: DataTypes.TEXT, allowNull: false, defaultValue: '4000m' },
      memoryQuota: { type: DataTypes.TEXT, allowNull: false, defaultValue: '8Gi' },
      repoAllowlist: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { tableName: 'tenants', underscored: true },
  );
}
