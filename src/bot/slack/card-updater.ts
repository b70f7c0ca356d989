import { ErrorCode, type WebAPICallError, type WebAPIPlatformError, type WebClient } from '@slack/web-api';
import type { Actor } from '../../core/actor.js';
import type { Core } from '../../core/index.js';
import type { Run } from '../../core/runs/run.model.js';
import { isTerminal } from '../../core/runs/run-status.js';
import type { Logger } from '../../logger.js';
import { runCard } from './blocks.js';

/** Follow events from the run's log sequence past any real one: only status changes matter here. */
const NO_LOGS = Number.MAX_SAFE_INTEGER;

/**
 * Posts a run's card and keeps it current with chat.update as the run moves (planning → planned
 * → approved → applying → applied / errored). Where the card is lives in the database
 * (core.slack.recordCard), so a click on any replica updates the same message; the watching
 * itself follows the run from the replica that posted or was clicked, and ends when the run
 * settles (or at shutdown).
 */
export class CardUpdater {
  private readonly watches = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(private readonly deps: { core: Core; log: Logger; publicUrl?: string }) {}

  /** Posts the card (in `threadTs`'s thread when given); null when done, else why Slack refused (the run goes on either way). */
  async post(client: WebClient, actor: Actor, channel: string, slackUserId: string, teamId: string, run: Run, threadTs?: string): Promise<string | null> {
    const card = runCard({ run, startedBy: slackUserId, runUrl: this.runUrl(run) });
    let posted;
    try {
      posted = await client.chat.postMessage({ channel, text: card.text, blocks: card.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) });
    } catch (err) {
      if ((err as WebAPICallError).code !== ErrorCode.PlatformError) throw err;
      return (err as WebAPIPlatformError).data.error; // not_in_channel, channel_not_found (a private channel or a DM)
    }
    await this.deps.core.slack.recordCard(actor, { runId: run.id, teamId, channelId: posted.channel ?? channel, messageTs: posted.ts!, startedBy: slackUserId });
    this.watch(client, actor, run.id);
    return null;
  }

  /** Updates the card now, then follows the run until it settles. */
  watch(client: WebClient, actor: Actor, runId: string): void {
    if (this.watches.has(runId)) return;
    const abort = new AbortController();
    const done = this.follow(client, actor, runId, abort.signal)
      .catch((err) => this.deps.log.warn({ err, runId }, 'Slack card stopped following its run'))
      .finally(() => this.watches.delete(runId));
    this.watches.set(runId, { abort, done });
  }

  /** Renders the card from the run as it is now. */
  async refresh(client: WebClient, actor: Actor, runId: string): Promise<Run | null> {
    const card = await this.deps.core.slack.cardOf(actor.tenantId, runId);
    if (!card) return null;
    const run = await this.deps.core.runs.get(actor, runId);
    const view = runCard({ run, startedBy: card.startedBy || null, runUrl: this.runUrl(run) });
    await client.chat.update({ channel: card.channelId, ts: card.messageTs, text: view.text, blocks: view.blocks });
    return run;
  }

  async stop(): Promise<void> {
    for (const w of this.watches.values()) w.abort.abort();
    await Promise.allSettled([...this.watches.values()].map((w) => w.done));
  }

  /** Resolves when no card is being followed (tests). */
  async idle(): Promise<void> {
    while (this.watches.size) await Promise.allSettled([...this.watches.values()].map((w) => w.done));
  }

  private async follow(client: WebClient, actor: Actor, runId: string, signal: AbortSignal): Promise<void> {
    // follow() ends when the run settles; a confirmed run is not settled, so one pass sees it through apply.
    for await (const event of await this.deps.core.runs.follow(actor, runId, NO_LOGS, signal)) {
      if (event.type !== 'status') continue;
      const run = await this.refresh(client, actor, runId);
      if (!run || isTerminal(run.status)) return;
    }
  }

  private runUrl(run: Run): string | null {
    return this.deps.publicUrl ? `${this.deps.publicUrl}/api/v1/runs/${run.id}` : null;
  }
}
