import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';

export interface AuditEntry {
  id: string;
  tenantId: string;
  actorKind: string;
  actorId: string | null;
  actorName: string;
  via: string;
  action: string;
  targetType: string;
  targetId: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
}
type Creation = Optional<AuditEntry, 'id' | 'actorId' | 'targetId' | 'detail' | 'createdAt'>;
export type AuditEntryModel = ModelStatic<Model<AuditEntry, Creation>>;

export function defineAuditEntryModel(sequelize: Sequelize): AuditEntryModel {
  return sequelize.define<Model<AuditEntry, Creation>>(
    'AuditEntry',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      actorKind: { type: DataTypes.TEXT, allowNull: false },
      actorId: DataTypes.TEXT,
      actorName: { type: DataTypes.TEXT, allowNull: false },
      via: { type: DataTypes.TEXT, allowNull: false },
      action: { type: DataTypes.TEXT, allowNull: false },
      targetType: { type: DataTypes.TEXT, allowNull: false },
      targetId: DataTypes.TEXT,
      detail: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      createdAt: DataTypes.DATE,
    },
    { tableName: 'audit_log', underscored: true, updatedAt: false },
  );
}
