import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';
import type { Role } from '../actor.js';

export interface User {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  passwordHash: string;
  role: Role;
  isActive: boolean;
  isPlatformAdmin: boolean;
  createdAt: Date;
  updatedAt: Date;
}
type Creation = Optional<User, 'id' | 'name' | 'isActive' | 'isPlatformAdmin' | 'createdAt' | 'updatedAt'>;
export type UserModel = ModelStatic<Model<User, Creation>>;

export function defineUserModel(sequelize: Sequelize): UserModel {
  return sequelize.define<Model<User, Creation>>(
    'User',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      email: { type: DataTypes.TEXT, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      passwordHash: { type: DataTypes.TEXT, allowNull: false },
      role: { type: DataTypes.TEXT, allowNull: false },
      isActive: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      isPlatformAdmin: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { tableName: 'users', underscored: true },
  );
}
