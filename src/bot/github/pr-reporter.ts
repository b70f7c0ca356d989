import { randomBytes } from 'node:crypto';
import type { Logger } from '../../logger.js';
import type { Core } from '../../core/index.js';
import type { VcsHost } from '../../core/ports/vcs-host.js';
import type { PrReport } from '../../core/pull-requests/pr-reports.js';
import { failureResult, runResult } from './project-results.js';
import { renderCommentResults } from './render.js';
import { splitComment } from './split-comment.js';

/**
 * Posts each PR command's results once its runs settle: the comment (split under GitHub's limit)
 * and the atlantis/plan or atlantis/apply status. Batches are claimed from the database, so any
 * replica reports them, and a batch whose reporter died is picked up again.
 */
export class PrReporter {
  private readonly id = `reporter-${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { core: Core; vcs: VcsHost; executableName: string; publicUrl?: string; log: Logger; intervalMs?: number }) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.deps.intervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** One round: report every settled batch. */
  tick(): Promise<void> {
    this.ticking = this.ticking.then(async () => {
      const reports = await this.deps.core.prReports.claimSettled(this.id, 10).catch((err: unknown) => (this.deps.log.error({ err }, 'claiming PR batches failed'), []));
      for (const report of reports) {
        await this.post(report).catch(async (err) => {
          this.deps.log.error({ err, batch: report.batch.id }, 'could not report PR results; will retry');
          await this.deps.core.prReports.release(report.batch.id);
        });
      }
    });
    return this.ticking;
  }

  /** Renders core's outcomes as Atlantis's comment, posts it, then sets the statuses core decided. */
  private async post({ batch, projects, statuses }: PrReport): Promise<void> {
    const { vcs, executableName } = this.deps;
    const results = projects.map((p) => (p.run ? runResult(batch.kind, p.run, p.output, this.runUrl(p.run.id)) : failureResult(batch.kind, p.failure, executableName)));
    if (results.length) {
      const body = renderCommentResults(batch.kind, results, { executableName, verbose: batch.verbose });
      for (const part of splitComment(body, undefined, batch.kind)) await vcs.createComment(batch.repoFullName, batch.prNumber, part);
    }
    for (const status of statuses) await vcs.setCommitStatus(batch.repoFullName, batch.headSha, status);
    await this.deps.core.prReports.markReported(batch.id);
  }

  private runUrl(runId: string): string | undefined {
    return this.deps.publicUrl ? `${this.deps.publicUrl}/api/v1/runs/${runId}` : undefined;
  }
}
