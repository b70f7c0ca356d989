import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { TenantRows } from '../db/tenant-rows.js';
import { isUuid } from '../ids.js';
import type { Agent, AgentModel, AgentType } from './agent.model.js';

type Writable = 'name' | 'agentType' | 'schedule' | 'timezone' | 'isActive' | 'config' | 'targetProjectId' | 'targetEnvironmentId' | 'targetInstanceId' | 'scheduleAnchor';
export type NewAgent = Pick<Agent, 'tenantId' | 'name' | 'agentType' | 'schedule' | 'scheduleAnchor'> & Partial<Pick<Agent, Writable>>;
export type AgentChanges = Partial<Pick<Agent, Writable>>;

/** What one agent run did: `unavailable` when its type cannot act yet on this server. */
export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'unavailable';

/** Something an agent found (a long-held lock, a version bump): `key` identifies it across executions. */
export interface Finding {
  key: string;
  kind: string;
  message: string;
  /** told people about it in this execution (false: already told, still true) */
  notified?: boolean;
  details?: Record<string, unknown>;
}

export interface AgentExecution {
  id: string;
  tenantId: string;
  agentId: string;
  trigger: 'schedule' | 'manual';
  scheduledFor: Date | null;
  status: ExecutionStatus;
  summary: string;
  findings: Finding[];
  runIds: string[];
  error: string | null;
  /** which server process ran it (host/pid) */
  replica: string;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface ExecutionOutcome {
  status: Exclude<ExecutionStatus, 'running'>;
  summary: string;
  findings?: Finding[];
  runIds?: string[];
  error?: string;
}

const EXECUTION = `id, tenant_id AS "tenantId", agent_id AS "agentId", trigger, scheduled_for AS "scheduledFor", status, summary, findings,
  run_ids AS "runIds", error, replica, started_at AS "startedAt", finished_at AS "finishedAt"`;

/** Agents (tenant rows), their executions and findings. */
export class AgentRepository extends TenantRows<Agent, NewAgent, AgentChanges> {
  constructor(private readonly db: { sequelize: Sequelize; model: AgentModel }) {
    super({ model: db.model });
  }

  private q<T extends object>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
    return this.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  }

  /** Active agents of every tenant: what the scheduler looks at on a tick. */
  async listActive(): Promise<Agent[]> {
    const rows = await this.db.model.findAll({ where: { isActive: true }, order: [['createdAt', 'ASC']] });
    return rows.map((r) => r.get({ plain: true }));
  }

  /**
   * Claims schedule slot `slot` for the agent: moves its anchor forward and records the
   * execution, in one statement pair that only one caller can win (a second replica that
   * believes it leads claims nothing). Null when the slot was already claimed.
   */
  async claimSlot(agent: Agent, slot: Date, replica: string): Promise<AgentExecution | null> {
    return this.db.sequelize.transaction(async (transaction) => {
      const moved = await this.q<{ id: string }>(
        `UPDATE agents SET schedule_anchor = :slot WHERE id = :id AND is_active AND schedule_anchor < :slot RETURNING id`,
        { id: agent.id, slot }, transaction,
      );
      if (!moved.length) return null;
      const [execution] = await this.q<AgentExecution>(
        `INSERT INTO agent_executions (id, tenant_id, agent_id, trigger, scheduled_for, replica)
         VALUES (:id, :tenantId, :agentId, 'schedule', :slot, :replica) ON CONFLICT (agent_id, scheduled_for) DO NOTHING RETURNING ${EXECUTION}`,
        { id: randomUUID(), tenantId: agent.tenantId, agentId: agent.id, slot, replica }, transaction,
      );
      return execution ?? null;
    });
  }

  async startManual(agent: Agent, replica: string, transaction?: Transaction): Promise<AgentExecution> {
    const [execution] = await this.q<AgentExecution>(
      `INSERT INTO agent_executions (id, tenant_id, agent_id, trigger, replica) VALUES (:id, :tenantId, :agentId, 'manual', :replica) RETURNING ${EXECUTION}`,
      { id: randomUUID(), tenantId: agent.tenantId, agentId: agent.id, replica }, transaction,
    );
    return execution;
  }

  async finish(executionId: string, outcome: ExecutionOutcome): Promise<void> {
    await this.q(
      `UPDATE agent_executions SET status = :status, summary = :summary, findings = CAST(:findings AS jsonb), run_ids = CAST(:runIds AS jsonb),
         error = :error, finished_at = now() WHERE id = :id AND status = 'running' RETURNING id`,
      {
        id: executionId, status: outcome.status, summary: outcome.summary, findings: JSON.stringify(outcome.findings ?? []),
        runIds: JSON.stringify(outcome.runIds ?? []), error: outcome.error ?? null,
      },
    );
  }

  /** This replica's executions still running when it stops end failed with `reason`. */
  async abandonOwn(replica: string, reason: string): Promise<number> {
    const rows = await this.q<{ id: string }>(
      `UPDATE agent_executions SET status = 'failed', error = :reason, finished_at = now() WHERE replica = :replica AND status = 'running' RETURNING id`,
      { replica, reason },
    );
    return rows.length;
  }

  /**
   * Scheduled executions another replica left running end failed: only the leader runs scheduled
   * slots, so when this replica takes the lead the previous leader is gone (killed, or cut off).
   */
  async abandonScheduled(exceptReplica: string): Promise<number> {
    const rows = await this.q<{ id: string }>(
      `UPDATE agent_executions SET status = 'failed', error = 'interrupted: the replica running it (' || replica || ') stopped leading', finished_at = now()
       WHERE trigger = 'schedule' AND status = 'running' AND replica <> :exceptReplica RETURNING id`,
      { exceptReplica },
    );
    return rows.length;
  }

  /** Keeps each agent's newest `keep` finished executions and deletes the rest; returns how many went. */
  async prune(keep: number): Promise<number> {
    const rows = await this.q<{ id: string }>(
      `DELETE FROM agent_executions WHERE id IN (
         SELECT id FROM (SELECT id, status, row_number() OVER (PARTITION BY agent_id ORDER BY started_at DESC, id) AS n FROM agent_executions) ranked
         WHERE n > :keep AND status <> 'running') RETURNING id`,
      { keep },
    );
    return rows.length;
  }

  async executions(tenantId: string, agentId: string, limit: number): Promise<AgentExecution[]> {
    if (!isUuid(agentId)) return [];
    return this.q<AgentExecution>(
      `SELECT ${EXECUTION} FROM agent_executions WHERE tenant_id = :tenantId AND agent_id = :agentId ORDER BY started_at DESC, id LIMIT :limit`,
      { tenantId, agentId, limit },
    );
  }

  async execution(tenantId: string, id: string): Promise<AgentExecution | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.q<AgentExecution>(`SELECT ${EXECUTION} FROM agent_executions WHERE tenant_id = :tenantId AND id = :id`, { tenantId, id });
    return row ?? null;
  }

  /** The findings the agent's last execution left present (what it already told). */
  async findingKeys(agentId: string): Promise<Set<string>> {
    const rows = await this.q<{ key: string }>('SELECT key FROM agent_findings WHERE agent_id = :agentId', { agentId });
    return new Set(rows.map((r) => r.key));
  }

  /**
   * Records the findings present now and forgets those gone; returns the keys that are new
   * (never seen, or seen, gone and back), the ones to tell people about.
   */
  async reconcileFindings(agentId: string, keys: string[]): Promise<Set<string>> {
    return this.db.sequelize.transaction(async (transaction) => {
      await this.q(`DELETE FROM agent_findings WHERE agent_id = :agentId AND NOT (key = ANY(CAST(:keys AS text[]))) RETURNING key`, { agentId, keys: `{${keys.map(pgArrayItem).join(',')}}` }, transaction);
      if (!keys.length) return new Set<string>();
      const inserted = await this.q<{ key: string }>(
        `INSERT INTO agent_findings (agent_id, key) SELECT :agentId, k FROM unnest(CAST(:keys AS text[])) AS k ON CONFLICT DO NOTHING RETURNING key`,
        { agentId, keys: `{${keys.map(pgArrayItem).join(',')}}` }, transaction,
      );
      return new Set(inserted.map((r) => r.key));
    });
  }
}

/** One element of a PostgreSQL array literal, quoted and escaped. */
function pgArrayItem(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export type { AgentType };
