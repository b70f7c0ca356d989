import { QueryTypes, type Sequelize } from 'sequelize';

/** A Slack message later notifications of the same subject reply under (its thread). */
export interface SlackThread {
  teamId: string;
  channelId: string;
  messageTs: string;
}

export class SlackThreadRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  /** The subject's newest message replaces the one before. */
  async put(tenantId: string, subject: string, thread: SlackThread): Promise<void> {
    await this.deps.sequelize.query(
      `INSERT INTO slack_threads (tenant_id, subject, team_id, channel_id, message_ts) VALUES (:tenantId, :subject, :teamId, :channelId, :messageTs)
       ON CONFLICT (tenant_id, subject) DO UPDATE SET team_id = EXCLUDED.team_id, channel_id = EXCLUDED.channel_id, message_ts = EXCLUDED.message_ts, updated_at = now()`,
      { replacements: { tenantId, subject, ...thread } },
    );
  }

  async get(tenantId: string, subject: string): Promise<SlackThread | null> {
    const [row] = await this.deps.sequelize.query<SlackThread>(
      'SELECT team_id AS "teamId", channel_id AS "channelId", message_ts AS "messageTs" FROM slack_threads WHERE tenant_id = :tenantId AND subject = :subject',
      { replacements: { tenantId, subject }, type: QueryTypes.SELECT },
    );
    return row ?? null;
  }
}
