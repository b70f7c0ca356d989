import type { Core } from '../../core/index.js';
import { systemActors } from '../../core/auth/system-actors.js';
import { InputError, NotFoundError } from '../../core/errors.js';
import { delivered, permanentFailure, retryLater, type DeliveryResult, type NotificationChannel, type NotificationTarget } from '../../core/notifications/notification-channel.js';
import type { NotificationEvent } from '../../core/notifications/notification.js';
import type { VcsHost } from '../../core/ports/vcs-host.js';
import type { Logger } from '../../logger.js';
import { code } from './markdown.js';

/**
 * Tells a pull request that an agent asks to apply one of its runs: one comment naming the agent,
 * its reason and how a person approves (their `atlantis apply` on the PR, Slack, or the REST
 * endpoint). The decision itself is the PR workflow's and the approval gate's; this only asks.
 */
export class PrApprovalCommentChannel implements NotificationChannel {
  readonly name = 'github';
  readonly kinds = ['approval.requested'] as const;

  constructor(private readonly deps: { core: Core; vcs: VcsHost; executableName: string; publicUrl?: string; log: Logger }) {}

  async route(event: NotificationEvent): Promise<string | null> {
    if (event.kind !== 'approval.requested' || !event.runId) return null;
    const run = await this.deps.core.runs.get(systemActors.githubNotifier(event.tenantId), event.runId).catch(() => null);
    return run?.prNumber ? `${run.repoFullName}#${run.prNumber}` : null;
  }

  async deliver(event: NotificationEvent, target: NotificationTarget): Promise<DeliveryResult> {
    if (event.kind !== 'approval.requested') return delivered();
    const actor = systemActors.githubNotifier(target.tenantId);
    const approval = await this.deps.core.approvals.get(actor, event.approvalId).catch((err) => (err instanceof NotFoundError ? null : Promise.reject(err)));
    if (!approval || approval.status !== 'pending') return delivered(); // decided before we got to ask
    const run = event.runId ? await this.deps.core.runs.get(actor, event.runId) : null;
    const [repo, pr] = splitDestination(target.destination);
    const project = run?.projectName ? ` -p ${run.projectName}` : run ? ` -d ${run.dir}` : '';
    const link = this.deps.publicUrl ? ` or \`POST ${this.deps.publicUrl}/api/v1/approvals/${approval.id}/approve\`` : ` or \`POST /api/v1/approvals/${approval.id}/approve\``;
    const body = [
      `${code(approval.requestedByName)} (an automated agent, via ${approval.requestedVia}) asks to ${code(approval.summary)}.`,
      '',
      // the agent's words, as data: no mention, link or markup of theirs reaches the PR
      `Its reason: ${code(approval.reason.replace(/\s+/g, ' ').slice(0, 500))}`,
      '',
      `Nothing is applied until a person with write access approves: comment ${code(`${this.deps.executableName} apply${project}`)} here, ` +
        `approve it in Slack,${link}. The request expires at ${approval.expiresAt.toISOString()}.`,
    ].join('\n');
    try {
      await this.deps.vcs.createComment(repo, pr, body);
      return delivered();
    } catch (err) {
      if (err instanceof InputError || err instanceof NotFoundError) return permanentFailure((err as Error).message);
      this.deps.log.warn({ err: (err as Error).message, approval: approval.id }, 'could not comment on the pull request; retrying');
      return retryLater((err as Error).message);
    }
  }
}

function splitDestination(destination: string): [string, number] {
  const at = destination.lastIndexOf('#');
  return [destination.slice(0, at), Number(destination.slice(at + 1))];
}
