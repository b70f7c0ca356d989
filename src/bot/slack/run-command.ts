import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../core/actor.js';
import type { SlackWorkspace } from '../../core/slack/slack.service.js';
import type { SlackDeps } from './slack-context.js';
import type { SlackCommand } from './slack-grammar.js';
import * as replies from './replies.js';
import { incidentDetail, incidentList } from './incident-blocks.js';

/** Where a command came from: who typed it, in which channel. */
export interface CommandOrigin {
  ws: SlackWorkspace;
  client: WebClient;
  slackUserId: string;
  channelId: string;
}

type Runnable = Exclude<SlackCommand, { kind: 'help' | 'error' | 'link' }>;

/**
 * One known Slack user's command → one core call → the text to answer with. Core decides
 * permission, tenancy and locks for every command exactly as for REST; this only maps.
 */
export async function runCommand(deps: SlackDeps, actor: Actor, origin: CommandOrigin, cmd: Runnable): Promise<string> {
  const { core } = deps;
  switch (cmd.kind) {
    case 'whoami':
      return replies.whoami(actor, (await core.tenants.get(actor)).name);
    case 'plan': {
      const { results } = await core.commands.planKept(actor, {
        repo: cmd.repo, pr: cmd.pr, dir: cmd.dir || undefined, workspace: cmd.workspace || undefined, project: cmd.project || undefined, extraArgs: cmd.extraArgs,
      }, 'slack');
      let refused: string | null = null;
      for (const r of results) if (r.run) refused ??= await deps.cards.post(origin.client, actor, origin.channelId, origin.slackUserId, origin.ws.teamId, r.run);
      return replies.planResults(results) + (refused ? `\n${replies.noCard(refused)}` : '');
    }
    case 'apply': {
      const run = await core.runs.apply(actor, cmd.runId);
      await followCard(deps, origin, actor, run.id);
      return replies.approved(run);
    }
    case 'discard': {
      const run = await core.runs.discard(actor, cmd.runId);
      await followCard(deps, origin, actor, run.id);
      return replies.discarded(run);
    }
    case 'status': {
      const run = cmd.runId ? await core.runs.get(actor, cmd.runId) : (await core.runs.list(actor, { limit: 1, offset: 0 })).runs[0];
      return run ? replies.runStatus(run) : 'No runs yet.';
    }
    case 'runs': {
      const projectId = cmd.project ? (await core.projects.require(actor, cmd.project)).id : undefined;
      return replies.runList((await core.runs.list(actor, { projectId, limit: 10, offset: 0 })).runs);
    }
    case 'locks':
      return replies.lockList(await core.locks.list(actor));
    case 'unlock':
      return replies.unlocked(await core.locks.unlock(actor, cmd.lockId));
    case 'drift':
      return replies.driftList(await core.drift.list(actor, { projectName: cmd.project ?? undefined }));
    case 'incident':
      return cmd.incident ? incidentDetail(await core.incidents.get(actor, cmd.incident)) : incidentList(await core.incidents.unresolved(actor, 10));
  }
}

/** After a decision the card shows it at once, then follows the run. */
export async function followCard(deps: SlackDeps, origin: Pick<CommandOrigin, 'client'>, actor: Actor, runId: string): Promise<void> {
  if (await deps.cards.refresh(origin.client, actor, runId)) deps.cards.watch(origin.client, actor, runId);
}
