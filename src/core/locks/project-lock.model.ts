import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';

export interface ProjectLock {
  id: string;
  tenantId: string;
  repoFullName: string;
  dir: string;
  workspace: string;
  projectName: string;
  /** a pull request holds it until merged/closed/unlocked; an actor (outside PRs) until its run ends */
  holderKind: 'pull_request' | 'actor';
  prNumber: number | null;
  prUrl: string | null;
  holderName: string;
  /** the holder's identity (actorKey, or `named:` for a shared holder such as the drift checker); null on older locks */
  holderKey: string | null;
  lockedBy: string;
  /** actorKey of who took it; null on older locks */
  lockedByKey: string | null;
  /** the VCS login that took the lock (a PR commenter), when there is one */
  vcsLogin: string | null;
  runId: string | null;
  lockedAt: Date;
}
type Creation = Optional<ProjectLock, 'id' | 'projectName' | 'prNumber' | 'prUrl' | 'vcsLogin' | 'runId' | 'lockedAt' | 'holderKey' | 'lockedByKey'>;
export type ProjectLockModel = ModelStatic<Model<ProjectLock, Creation>>;

export function defineProjectLockModel(sequelize: Sequelize): ProjectLockModel {
  return sequelize.define<Model<ProjectLock, Creation>>(
    'ProjectLock',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      repoFullName: { type: DataTypes.TEXT, allowNull: false },
      dir: { type: DataTypes.TEXT, allowNull: false },
      workspace: { type: DataTypes.TEXT, allowNull: false },
      projectName: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      holderKind: { type: DataTypes.TEXT, allowNull: false },
      prNumber: DataTypes.INTEGER,
      prUrl: DataTypes.TEXT,
      holderName: { type: DataTypes.TEXT, allowNull: false },
      holderKey: DataTypes.TEXT,
      lockedBy: { type: DataTypes.TEXT, allowNull: false },
      lockedByKey: DataTypes.TEXT,
      vcsLogin: DataTypes.TEXT,
      runId: DataTypes.UUID,
      lockedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
    },
    { tableName: 'project_locks', underscored: true, timestamps: false },
  );
}

/** Atlantis's lock key: `{repoFullName}/{path}/{workspace}/{projectName}` (GET /api/locks ids). */
export function lockKey(l: Pick<ProjectLock, 'repoFullName' | 'dir' | 'workspace' | 'projectName'>): string {
  return `${l.repoFullName}/${l.dir}/${l.workspace}/${l.projectName}`;
}
