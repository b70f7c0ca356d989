import { randomBytes } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { systemActor } from '../../core/actor.js';
import type { Core } from '../../core/index.js';
import type { VcsHost } from '../../core/ports/vcs-host.js';
import type { PrBatch } from '../../core/pull-requests/pr-batch.repository.js';
import { batchStatus, failureResult, runResult } from './project-results.js';
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
      for (const batch of await this.deps.core.prBatches.claimSettled(this.id, 10).catch((err) => (this.deps.log.error({ err }, 'claiming PR batches failed'), []))) {
        await this.report(batch).catch(async (err) => {
          this.deps.log.error({ err, batch: batch.id }, 'could not report PR results; will retry');
          await this.deps.core.prBatches.release(batch.id);
        });
      }
    });
    return this.ticking;
  }

  private async report(batch: PrBatch): Promise<void> {
    const { core, vcs, executableName } = this.deps;
    const actor = systemActor('pr-reporter', batch.tenantId, 'viewer', 'github');
    const runs = await core.runs.byIds(actor, batch.runIds);
    const results = [
      ...(await Promise.all(runs.map(async (run) => runResult(batch.kind, run, await core.runs.output(actor, run.id, batch.kind), this.runUrl(run.id))))),
      ...batch.failures.map((f) => failureResult(batch.kind, f, executableName)),
    ];
    const context = `atlantis/${batch.kind}`;
    if (!results.length) {
      // Nothing to plan (no project touched): statuses only, no comment (Atlantis).
      for (const ctx of ['atlantis/plan', 'atlantis/apply']) {
        await vcs.setCommitStatus(batch.repoFullName, batch.headSha, { state: 'success', context: ctx, description: `0/0 projects ${ctx.endsWith('plan') ? 'planned' : 'applied'} successfully.` });
      }
    } else {
      const body = renderCommentResults(batch.kind, results, { executableName, verbose: batch.verbose });
      for (const part of splitComment(body, undefined, batch.kind)) await vcs.createComment(batch.repoFullName, batch.prNumber, part);
      await vcs.setCommitStatus(batch.repoFullName, batch.headSha, { context, ...batchStatus(batch.kind, results) });
    }
    await core.prBatches.markReported(batch.id);
  }

  private runUrl(runId: string): string | undefined {
    return this.deps.publicUrl ? `${this.deps.publicUrl}/api/v1/runs/${runId}` : undefined;
  }
}
