import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';

export interface Instance {
  id: string;
  tenantId: string;
  name: string;
  status: string;
  version: string;
  configJson: Record<string, unknown>;
  positionX: number | null;
  positionY: number | null;
  createdAt: Date;
  updatedAt: Date;
}
type Creation = Optional<Instance, 'id' | 'status' | 'version' | 'configJson' | 'positionX' | 'positionY' | 'createdAt' | 'updatedAt'>;
export type InstanceModel = ModelStatic<Model<Instance, Creation>>;

export function defineInstanceModel(sequelize: Sequelize): InstanceModel {
  return sequelize.define<Model<Instance, Creation>>(
    'Instance',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'pending' },
      version: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      configJson: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      positionX: DataTypes.DOUBLE,
      positionY: DataTypes.DOUBLE,
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { tableName: 'instances', underscored: true },
  );
}
