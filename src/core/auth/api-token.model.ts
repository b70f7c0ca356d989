import type { AgentPolicy } from '../approvals/agent-policy.js';
import type { TokenScope } from './token-scopes.js';
import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';

export interface ApiToken {
  id: string;
  tenantId: string;
  userId: string;
  name: string;
  /** SHA-256 of the raw token, hex. The raw token is shown once and never stored. */
  tokenHash: string;
  tokenPrefix: string;
  /** read, write, admin: see token-scopes.ts */
  scopes: TokenScope[];
  /** an agent token's policy: projects it may apply without a human (see approvals/agent-policy.ts) */
  mcpPolicy: AgentPolicy | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}
type Creation = Optional<ApiToken, 'id' | 'mcpPolicy' | 'expiresAt' | 'revokedAt' | 'lastUsedAt' | 'createdAt'>;
export type ApiTokenModel = ModelStatic<Model<ApiToken, Creation>>;

export function defineApiTokenModel(sequelize: Sequelize): ApiTokenModel {
  return sequelize.define<Model<ApiToken, Creation>>(
    'ApiToken',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      userId: { type: DataTypes.UUID, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      tokenHash: { type: DataTypes.TEXT, allowNull: false },
      tokenPrefix: { type: DataTypes.TEXT, allowNull: false },
      scopes: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false },
      mcpPolicy: DataTypes.JSONB,
      expiresAt: DataTypes.DATE,
      revokedAt: DataTypes.DATE,
      lastUsedAt: DataTypes.DATE,
      createdAt: DataTypes.DATE,
    },
    { tableName: 'api_tokens', underscored: true, updatedAt: false },
  );
}
