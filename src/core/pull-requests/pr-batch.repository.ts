import { QueryTypes, type Sequelize } from 'sequelize';

export interface PrFailure {
  dir: string;
  workspace: string;
  projectName: string;
  /** why this project did not run: a held lock, an unmet apply requirement, a stale plan */
  failure: string;
  /** another holder has the project locked (the reply says how to re-plan once it is released) */
  locked?: boolean;
}

export interface PrBatch {
  id: string;
  tenantId: string;
  kind: 'plan' | 'apply';
  repoFullName: string;
  prNumber: number;
  headSha: string;
  runIds: string[];
  failures: PrFailure[];
  commentId: number | null;
  verbose: boolean;
  source: string;
  createdAt: Date;
}

type Row = Record<string, unknown>;
const toBatch = (r: Row): PrBatch => ({
  id: r.id as string, tenantId: r.tenant_id as string, kind: r.kind as PrBatch['kind'], repoFullName: r.repo_full_name as string,
  prNumber: r.pr_number as number, headSha: r.head_sha as string, runIds: (r.run_ids as string[]) ?? [], failures: (r.failures as PrFailure[]) ?? [],
  commentId: r.comment_id === null ? null : Number(r.comment_id), verbose: r.verbose_output as boolean, source: r.source as string, createdAt: r.created_at as Date,
});

/**
 * PR commands waiting for their runs, and which of them have been reported. A batch is settled
 * when its plan runs are planned or ended (plan), or its apply runs ended (apply).
 */
export class PrBatchRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  async create(b: Omit<PrBatch, 'id' | 'createdAt'>): Promise<PrBatch> {
    const [row] = await this.deps.sequelize.query<Row>(
      `INSERT INTO pr_batches (tenant_id, kind, repo_full_name, pr_number, head_sha, run_ids, failures, comment_id, verbose_output, source)
       VALUES (:tenantId, :kind, :repo, :pr, :headSha, CAST(:runIds AS uuid[]), :failures, :commentId, :verbose, :source) RETURNING *`,
      {
        replacements: {
          tenantId: b.tenantId, kind: b.kind, repo: b.repoFullName, pr: b.prNumber, headSha: b.headSha,
          runIds: `{${b.runIds.join(',')}}`, failures: JSON.stringify(b.failures), commentId: b.commentId, verbose: b.verbose, source: b.source,
        },
        type: QueryTypes.SELECT,
      },
    );
    return toBatch(row);
  }

  /**
   * Claims settled, unreported batches for `reporterId` (a claim older than `staleMs` is taken
   * over: its reporter died). Claiming is a short statement; posting happens outside any transaction.
   */
  async claimSettled(reporterId: string, limit: number, staleMs = 60_000): Promise<PrBatch[]> {
    const rows = await this.deps.sequelize.query<Row>(
      `UPDATE pr_batches SET claimed_by = :reporterId, claimed_at = now()
       WHERE id IN (
         SELECT b.id FROM pr_batches b
         WHERE b.reported_at IS NULL
           AND (b.claimed_at IS NULL OR b.claimed_at < now() - make_interval(secs => :staleSecs))
           AND NOT EXISTS (
             SELECT 1 FROM runs r WHERE r.id = ANY(b.run_ids)
               AND (r.status IN ('pending', 'planning', 'confirmed', 'applying') OR (b.kind = 'apply' AND r.status = 'planned')))
         ORDER BY b.created_at LIMIT :limit FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      { replacements: { reporterId, limit, staleSecs: staleMs / 1000 }, type: QueryTypes.SELECT },
    );
    return rows.map(toBatch);
  }

  async markReported(id: string): Promise<void> {
    await this.deps.sequelize.query('UPDATE pr_batches SET reported_at = now() WHERE id = :id', { replacements: { id } });
  }

  /** Lets another attempt report it (posting failed, e.g. GitHub was down). */
  async release(id: string): Promise<void> {
    await this.deps.sequelize.query('UPDATE pr_batches SET claimed_by = NULL, claimed_at = NULL WHERE id = :id AND reported_at IS NULL', { replacements: { id } });
  }
}
