import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';
import type { RunOperation, RunSource, RunStatus } from './run-status.js';
import type { RunRow } from './run-sealing.js';

export interface ResourceChangeSummary {
  address: string;
  action: string;
  /** an update's changed attribute names (no values), and which of them are sensitive */
  attributes?: string[];
  sensitiveAttributes?: string[];
  /** the changed attributes with before/after, sensitive values redacted (plan changes only; stored sealed) */
  changes?: { name: string; before: unknown; after: unknown }[];
}

export interface Run {
  id: string;
  tenantId: string;
  projectId: string | null;
  environmentId: string | null;
  title: string;
  operation: RunOperation;
  source: RunSource;
  status: RunStatus;
  repoFullName: string;
  repoUrl: string;
  dir: string;
  workspace: string;
  projectName: string;
  /** the Atlantas state backend name terraform was pointed at, when Atlantas holds the state */
  stateName: string | null;
  /** runs created by one command (one comment, one API call) share a batch */
  batchId: string | null;
  dependsOnRunIds: string[];
  /** apply requirements of the project (atlantis.yaml `apply_requirements`) */
  applyRequirements: string[];
  /** the runner pool this run waits for, when the run names one (a TFE agent-mode workspace without a project); else its project's */
  runnerPoolId?: string | null;
  ref: string;
  commitSha: string;
  prNumber: number | null;
  prUrl: string | null;
  extraArgs: string[];
  autoApply: boolean;
  /** a plan outside a pull request that is kept (with its lock) to be applied later, instead of speculative */
  keepPlan: boolean;
  hasChanges: boolean | null;
  resourcesAdded: number | null;
  resourcesChanged: number | null;
  resourcesDestroyed: number | null;
  resourcesImported: number | null;
  summary: string | null;
  resourceChanges: ResourceChangeSummary[] | null;
  resourceDrift: ResourceChangeSummary[] | null;
  error: string | null;
  statusReason: string | null;
  actorKind: string;
  actorId: string | null;
  actorName: string;
  via: string;
  approvedBy: string | null;
  approvedAt: Date | null;
  stateSerialAtPlan: number | null;
  stateLineageAtPlan: string | null;
  scheduledAt: Date | null;
  queuedAt: Date | null;
  startedAt: Date | null;
  plannedAt: Date | null;
  finishedAt: Date | null;
  workerId: string | null;
  runnerPid: number | null;
  heartbeatAt: Date | null;
  cancelRequestedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

type Creation = Optional<RunRow, Exclude<keyof RunRow, 'tenantId' | 'operation' | 'source' | 'repoFullName' | 'actorKind' | 'actorName' | 'via'>>;
/** Stores `RunRow`s: the fields run-sealing.ts names are sealed, and the repository opens them into a `Run`. */
export type RunModel = ModelStatic<Model<RunRow, Creation>>;

// Fresh definition objects per attribute: Sequelize writes into them (field names), so sharing one aliases columns.
const int = () => ({ type: DataTypes.INTEGER });
const text = () => ({ type: DataTypes.TEXT });
const date = () => ({ type: DataTypes.DATE });
const blob = () => ({ type: DataTypes.BLOB });

export function defineRunModel(sequelize: Sequelize): RunModel {
  return sequelize.define<Model<RunRow, Creation>>(
    'Run',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      tenantId: { type: DataTypes.UUID, allowNull: false },
      projectId: DataTypes.UUID,
      environmentId: DataTypes.UUID,
      title: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      operation: { type: DataTypes.TEXT, allowNull: false },
      source: { type: DataTypes.TEXT, allowNull: false },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'pending' },
      repoFullName: { type: DataTypes.TEXT, allowNull: false },
      repoUrl: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      dir: { type: DataTypes.TEXT, allowNull: false, defaultValue: '.' },
      workspace: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'default' },
      projectName: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      stateName: text(),
      batchId: DataTypes.UUID,
      dependsOnRunIds: { type: DataTypes.ARRAY(DataTypes.UUID), allowNull: false, defaultValue: [] },
      applyRequirements: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
      runnerPoolId: DataTypes.UUID,
      ref: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      commitSha: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      prNumber: int(),
      prUrl: text(),
      extraArgsKeyId: text(),
      extraArgsSealed: blob(),
      autoApply: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      keepPlan: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      hasChanges: DataTypes.BOOLEAN,
      resourcesAdded: int(),
      resourcesChanged: int(),
      resourcesDestroyed: int(),
      resourcesImported: int(),
      summary: text(),
      resourceChangesKeyId: text(),
      resourceChangesSealed: blob(),
      resourceDriftKeyId: text(),
      resourceDriftSealed: blob(),
      errorKeyId: text(),
      errorSealed: blob(),
      statusReason: text(),
      actorKind: { type: DataTypes.TEXT, allowNull: false },
      actorId: text(),
      actorName: { type: DataTypes.TEXT, allowNull: false },
      via: { type: DataTypes.TEXT, allowNull: false },
      approvedBy: text(),
      approvedAt: date(),
      stateSerialAtPlan: int(),
      stateLineageAtPlan: text(),
      scheduledAt: date(),
      queuedAt: date(),
      startedAt: date(),
      plannedAt: date(),
      finishedAt: date(),
      workerId: text(),
      runnerPid: int(),
      heartbeatAt: date(),
      cancelRequestedAt: date(),
      createdAt: date(),
      updatedAt: date(),
    },
    { tableName: 'runs', underscored: true },
  );
}
