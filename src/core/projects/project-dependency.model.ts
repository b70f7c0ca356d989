import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';

export interface ProjectDependency {
  id: string;
  tenantId: string;
  projectId: string;
  dependsOnProjectId: string;
  /** this project's input variable name → the dependency's output name */
  outputMapping: Record<string, string>;
  createdAt: Date;
}
type Creation = Optional<ProjectDependency, 'id' | 'outputMapping' | 'createdAt'>;
export type ProjectDependencyModel = ModelStatic<Model<ProjectDependency, Creation>>;

export function defineProjectDependencyModel(sequelize: Sequelize): ProjectDependencyModel {
  return sequelize.define<Model<ProjectDependency, Creation>>(
    'ProjectDependency',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      projectId: { type: DataTypes.UUID, allowNull: false },
      dependsOnProjectId: { type: DataTypes.UUID, allowNull: false },
      outputMapping: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      createdAt: DataTypes.DATE,
    },
    { tableName: 'project_dependencies', underscored: true, updatedAt: false },
  );
}
