import { QueryTypes, type Sequelize } from 'sequelize';

/** The webhook deliveries seen, by delivery id. */
export class WebhookDeliveryRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  /** Records a delivery; false when its id was already recorded. */
  async insertIfNew(id: string, event: string): Promise<boolean> {
    const rows = await this.deps.sequelize.query(
      'INSERT INTO webhook_deliveries (id, event) VALUES (:id, :event) ON CONFLICT (id) DO NOTHING RETURNING id',
      { replacements: { id, event }, type: QueryTypes.SELECT },
    );
    return rows.length === 1;
  }

  async deleteOlderThan(days: number): Promise<void> {
    await this.deps.sequelize.query('DELETE FROM webhook_deliveries WHERE received_at < now() - make_interval(days => :days)', { replacements: { days } });
  }
}
