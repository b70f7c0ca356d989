import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * A pull-request comment acts once. Delivery ids protect against GitHub's redeliveries, but the
 * same signed body re-sent under a new delivery id is still the same comment: its id is claimed
 * here, forever (comment ids are never reused), before anything runs.
 */
export class CommentClaimRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  /** True the first time this comment is seen; false for a replay. */
  async claim(tenantId: string, repoFullName: string, commentId: number, delivery: string): Promise<boolean> {
    const rows = await this.deps.sequelize.query(
      `INSERT INTO pr_comment_claims (tenant_id, repo_full_name, comment_id, delivery) VALUES (:tenantId, :repo, :commentId, :delivery)
       ON CONFLICT DO NOTHING RETURNING comment_id`,
      { replacements: { tenantId, repo: repoFullName.toLowerCase(), commentId, delivery }, type: QueryTypes.SELECT },
    );
    return rows.length === 1;
  }
}
