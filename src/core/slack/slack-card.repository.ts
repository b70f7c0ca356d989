import { QueryTypes, type Sequelize } from 'sequelize';

/** Where a run's plan card was posted: any replica updates that message as the run moves. */
export interface SlackRunCard {
  runId: string;
  tenantId: string;
  teamId: string;
  channelId: string;
  messageTs: string;
  /** the Slack user who started the plan (`<@U…>` on the card) */
  startedBy: string;
}

const COLUMNS = `run_id AS "runId", tenant_id AS "tenantId", team_id AS "teamId", channel_id AS "channelId", message_ts AS "messageTs", started_by AS "startedBy"`;

export class SlackCardRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  async insert(card: SlackRunCard): Promise<void> {
    await this.deps.sequelize.query(
      `INSERT INTO slack_run_cards (run_id, tenant_id, team_id, channel_id, message_ts, started_by)
       VALUES (:runId, :tenantId, :teamId, :channelId, :messageTs, :startedBy) ON CONFLICT (run_id) DO NOTHING`,
      { replacements: { ...card } },
    );
  }

  async ofRun(tenantId: string, runId: string): Promise<SlackRunCard | null> {
    const rows = await this.deps.sequelize.query<SlackRunCard>(`SELECT ${COLUMNS} FROM slack_run_cards WHERE tenant_id = :tenantId AND run_id = :runId`, {
      replacements: { tenantId, runId }, type: QueryTypes.SELECT,
    });
    return rows[0] ?? null;
  }
}
