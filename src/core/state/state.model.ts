import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';
import type { LockInfo } from './lock-info.js';

/** One Terraform state (tenant, name, workspace): the current-version pointer and the lock. */
export interface StateRow {
  id: string;
  tenantId: string;
  name: string;
  workspace: string;
  projectId: string | null;
  currentVersionId: string | null;
  /** number of the newest version (1, 2, …); 0 before the first write */
  latestVersion: number;
  serial: number | null;
  lineage: string | null;
  md5: string | null;
  size: number | null;
  lockId: string | null;
  lockInfo: LockInfo | null;
  lockedAt: Date | null;
  lockedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}
type Creation = Optional<
  StateRow,
  | 'id' | 'projectId' | 'currentVersionId' | 'latestVersion' | 'serial' | 'lineage' | 'md5' | 'size'
  | 'lockId' | 'lockInfo' | 'lockedAt' | 'lockedBy' | 'createdAt' | 'updatedAt'
>;
export type StateModel = ModelStatic<Model<StateRow, Creation>>;

export function defineStateModel(sequelize: Sequelize): StateModel {
  return sequelize.define<Model<StateRow, Creation>>(
    'State',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      workspace: { type: DataTypes.TEXT, allowNull: false },
      projectId: DataTypes.UUID,
      currentVersionId: DataTypes.UUID,
      latestVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      // BIGINT arrives from pg as a string; the getter keeps the domain type a number.
      serial: { type: DataTypes.BIGINT, get() { return toNumber(this.getDataValue('serial')); } },
      lineage: DataTypes.TEXT,
      md5: DataTypes.TEXT,
      size: DataTypes.INTEGER,
      lockId: DataTypes.TEXT,
      lockInfo: DataTypes.JSONB,
      lockedAt: DataTypes.DATE,
      lockedBy: DataTypes.TEXT,
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { tableName: 'states', underscored: true },
  );
}

export function toNumber(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
