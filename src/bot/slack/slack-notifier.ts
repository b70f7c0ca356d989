import { ErrorCode, WebClient, type WebAPICallError } from '@slack/web-api';
import type { Actor } from '../../core/actor.js';
import { systemActors } from '../../core/auth/system-actors.js';
import { NotFoundError } from '../../core/errors.js';
import type { Core } from '../../core/index.js';
import type { NotificationEvent } from '../../core/notifications/notification.js';
import {
  delivered, permanentFailure, retryLater, type DeliveryResult, type NotificationChannel, type NotificationTarget,
} from '../../core/notifications/notification-channel.js';
import type { DriftRecord } from '../../core/drift/drift-record.js';
import type { Run } from '../../core/runs/run.model.js';
import type { SlackWorkspace } from '../../core/slack/slack.service.js';
import type { Logger } from '../../logger.js';
import { postApprovalCard, postApprovalDecision } from './approval-card.js';
import { postIncidentOpened, postIncidentResolved, refreshIncidentCards } from './incident-card.js';
import { runCard } from './blocks.js';
import { driftDetectedMessage, driftResolvedMessage } from './drift-messages.js';
import * as messages from './notification-messages.js';


/** Slack errors that pass: Slack's own trouble, not ours. */
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/**
 * The Slack channel of the notifications outbox: renders an event from the current rows of its
 * tenant and posts one message to the routed channel, with the tenant's bot token. The outbox
 * decides once-only and retries; this answers how a try went: a 429 with its Retry-After, a 5xx
 * or network error to retry, or a permanent failure (unknown channel, revoked token). A run's
 * card is updated in place besides, and the message threads under it when it is in that channel.
 */
export class SlackNotificationChannel implements NotificationChannel {
  readonly name = 'slack';

  constructor(private readonly deps: { core: Core; log: Logger; serverToken?: string; apiUrl?: string; publicUrl?: string }) {}

  async deliver(event: NotificationEvent, target: NotificationTarget): Promise<DeliveryResult> {
    const ws = await this.deps.core.slack.workspaceOfTenant(target.tenantId);
    const token = ws && (ws.botToken ?? this.deps.serverToken);
    if (!ws || !token) return permanentFailure('no Slack workspace is connected to this tenant');
    const client = new WebClient(token, { slackApiUrl: this.deps.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    const actor = systemActors.slackNotifier(target.tenantId);
    try {
      await this.send(client, ws, actor, event, target.destination);
      return delivered();
    } catch (err) {
      if (err instanceof NotFoundError) return delivered(); // the run or lock is gone: nothing left to tell
      return classify(err as WebAPICallError);
    }
  }

  private async send(client: WebClient, ws: SlackWorkspace, actor: Actor, event: NotificationEvent, channel: string): Promise<void> {
    switch (event.kind) {
      case 'run.needs_approval': {
        const card = await this.deps.core.slack.cardOf(actor.tenantId, event.runId);
        if (card) return; // started in Slack: its card already asks
        const run = await this.deps.core.runs.get(actor, event.runId);
        const view = runCard({ run, startedBy: null, runUrl: this.runUrl(run) });
        const posted = await client.chat.postMessage({ channel, text: view.text, blocks: view.blocks });
        await this.deps.core.slack.recordCard(actor, { runId: run.id, teamId: ws.teamId, channelId: posted.channel ?? channel, messageTs: posted.ts!, startedBy: '' });
        return;
      }
      case 'run.applied':
      case 'run.errored':
      case 'run.plan_expired': {
        const run = await this.deps.core.runs.get(actor, event.runId);
        const render = { 'run.applied': messages.appliedMessage, 'run.errored': messages.erroredMessage, 'run.plan_expired': messages.planExpiredMessage }[event.kind];
        const threadTs = await this.updateCard(client, actor, run, channel);
        const m = render(run, this.runUrl(run));
        await client.chat.postMessage({ channel, text: m.text, blocks: m.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) });
        return;
      }
      case 'approval.requested':
        return postApprovalCard(this.deps.core, client, actor, event.approvalId, channel, this.deps.publicUrl);
      case 'approval.decided':
        return postApprovalDecision(this.deps.core, client, actor, event.approvalId, channel, this.deps.publicUrl);
      case 'lock.held_long': {
        const lock = (await this.deps.core.locks.list(actor)).find((l) => l.id === event.lockId);
        if (!lock) return;
        const m = messages.lockHeldLongMessage(lock, new Date());
        await client.chat.postMessage({ channel, text: m.text, blocks: m.blocks });
        return;
      }
      case 'incident.opened':
        return postIncidentOpened(this.deps.core, client, actor, event.incidentId, channel, this.deps.publicUrl);
      case 'incident.resolved':
        return postIncidentResolved(this.deps.core, client, actor, event.incidentId, channel, this.deps.publicUrl);
      case 'drift.detected':
      case 'drift.resolved':
        return this.sendDrift(client, ws, actor, event, channel);
      case 'state.alert': {
        const state = await this.deps.core.state.get(actor, event.stateId).catch((err) => (err instanceof NotFoundError ? null : Promise.reject(err)));
        const m = messages.stateAlertMessage(event, state ? `${state.name} (${state.workspace})` : null);
        await client.chat.postMessage({ channel, text: m.text, blocks: m.blocks });
        return;
      }
      case 'codebase.changed': {
        const m = messages.codebaseChangedMessage(event);
        await client.chat.postMessage({ channel, text: m.text, blocks: m.blocks });
        return;
      }
      case 'incident.updated':
        await refreshIncidentCards(this.deps.core, client, actor, event.incidentId, this.deps.publicUrl);
        return;
      default:
        return; // kinds Slack does not render (yet)
    }
  }

  /**
   * drift.detected: the drifted resources and a Plan remediation button, remembered as the drift's
   * thread; drift.resolved: a reply in that thread (a message of its own when none was posted).
   */
  private async sendDrift(client: WebClient, ws: SlackWorkspace, actor: Actor, event: Extract<NotificationEvent, { kind: 'drift.detected' | 'drift.resolved' }>, channel: string): Promise<void> {
    const record = await this.named(actor, (await this.deps.core.drift.get(actor, event.driftId, 0)).record);
    const subject = `drift:${record.id}`;
    if (event.kind === 'drift.detected') {
      if (!record.hasDrift) return; // gone again before this went out: drift.resolved follows, nothing to ask
      const runUrl = record.planRunId && this.deps.publicUrl ? `${this.deps.publicUrl}/api/v1/runs/${record.planRunId}` : null;
      const m = driftDetectedMessage(record, runUrl);
      const posted = await client.chat.postMessage({ channel, text: m.text, blocks: m.blocks });
      await this.deps.core.slack.recordThread(actor, subject, { teamId: ws.teamId, channelId: posted.channel ?? channel, messageTs: posted.ts! });
      return;
    }
    const thread = await this.deps.core.slack.threadOf(actor.tenantId, subject);
    const m = driftResolvedMessage(record);
    const where = thread ? { channel: thread.channelId, thread_ts: thread.messageTs } : { channel };
    await client.chat.postMessage({ ...where, text: m.text, blocks: m.blocks });
  }

  /** A registered project's drift goes by the project's name when no atlantis.yaml names it. */
  private async named(actor: Actor, record: DriftRecord): Promise<DriftRecord> {
    if (record.projectName || !record.projectId) return record;
    const project = await this.deps.core.projects.require(actor, record.projectId).catch((err) => (err instanceof NotFoundError ? null : Promise.reject(err)));
    return project ? { ...record, projectName: project.name } : record;
  }

  /** Brings the run's card up to date; returns its ts when the card is in `channel` (the message threads under it). */
  private async updateCard(client: WebClient, actor: Actor, run: Run, channel: string): Promise<string | null> {
    const card = await this.deps.core.slack.cardOf(actor.tenantId, run.id);
    if (!card) return null;
    const view = runCard({ run, startedBy: card.startedBy || null, runUrl: this.runUrl(run) });
    try {
      await client.chat.update({ channel: card.channelId, ts: card.messageTs, text: view.text, blocks: view.blocks });
    } catch (err) {
      if ((err as WebAPICallError).code !== ErrorCode.PlatformError) throw err; // a deleted card is no reason not to tell
      this.deps.log.info({ runId: run.id, err }, 'Slack: the run card could not be updated');
    }
    return card.channelId === channel ? card.messageTs : null;
  }

  private runUrl(run: Run): string | null {
    return this.deps.publicUrl ? `${this.deps.publicUrl}/api/v1/runs/${run.id}` : null;
  }
}

function classify(err: WebAPICallError): DeliveryResult {
  switch (err.code) {
    case ErrorCode.RateLimitedError:
      return retryLater('Slack answered 429', err.retryAfter * 1000);
    case ErrorCode.HTTPError:
      return err.statusCode >= 500 ? retryLater(`Slack answered HTTP ${err.statusCode}`) : permanentFailure(`Slack answered HTTP ${err.statusCode}`);
    case ErrorCode.PlatformError:
      return TRANSIENT.has(err.data.error) ? retryLater(`Slack: ${err.data.error}`) : permanentFailure(`Slack: ${err.data.error}`);
    case ErrorCode.RequestError:
      return retryLater(`Slack unreachable: ${err.original.message}`);
    default:
      throw err; // a bug: the outbox treats it as a retry and logs it
  }
}
