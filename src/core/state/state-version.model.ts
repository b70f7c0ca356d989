import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';
import { toNumber } from './state.model.js';

/** One immutable version of a state: metadata in clear, the state bytes sealed (AES-256-GCM). */
export interface StateVersionRow {
  id: string;
  stateId: string;
  tenantId: string;
  version: number;
  serial: number;
  lineage: string;
  /** hex MD5 of the plaintext state */
  md5: string;
  size: number;
  keyId: string;
  data: Buffer;
  forced: boolean;
  createdByKind: string;
  createdById: string | null;
  createdByName: string;
  via: string;
  createdAt: Date;
}
/** A version without its ciphertext: what listings return. */
export type StateVersion = Omit<StateVersionRow, 'data' | 'keyId'>;

type Creation = Optional<StateVersionRow, 'id' | 'forced' | 'createdById' | 'createdAt'>;
export type StateVersionModel = ModelStatic<Model<StateVersionRow, Creation>>;

export function defineStateVersionModel(sequelize: Sequelize): StateVersionModel {
  return sequelize.define<Model<StateVersionRow, Creation>>(
    'StateVersion',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      stateId: { type: DataTypes.UUID, allowNull: false },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      version: { type: DataTypes.INTEGER, allowNull: false },
      serial: { type: DataTypes.BIGINT, allowNull: false, get() { return toNumber(this.getDataValue('serial')); } },
      lineage: { type: DataTypes.TEXT, allowNull: false },
      md5: { type: DataTypes.TEXT, allowNull: false },
      size: { type: DataTypes.INTEGER, allowNull: false },
      keyId: { type: DataTypes.TEXT, allowNull: false },
      data: { type: DataTypes.BLOB, allowNull: false },
      forced: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      createdByKind: { type: DataTypes.TEXT, allowNull: false },
      createdById: DataTypes.TEXT,
      createdByName: { type: DataTypes.TEXT, allowNull: false },
      via: { type: DataTypes.TEXT, allowNull: false },
      createdAt: DataTypes.DATE,
    },
    { tableName: 'state_versions', underscored: true, updatedAt: false },
  );
}

/** Binds a version's ciphertext to its row: a blob copied to another state or version does not decrypt. */
export function stateVersionAad(stateId: string, version: number): string {
  return `state-version:${stateId}:${version}`;
}
