import { randomUUID } from 'node:crypto';
import type { AllMiddlewareArgs, BlockButtonAction, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../core/actor.js';
import { DomainError } from '../../core/errors.js';
import type { Core } from '../../core/index.js';
import type { SlackProfile, SlackWorkspace } from '../../core/slack/slack.service.js';
import type { Logger } from '../../logger.js';
import type { CardUpdater } from './card-updater.js';
import { failed, refusal, UNKNOWN_WORKSPACE, unmatchedUser } from './replies.js';

/** What every Slack listener uses. */
export interface SlackDeps {
  core: Core;
  log: Logger;
  cards: CardUpdater;
}

/** authorize() puts the workspace into Bolt's context; absent for a workspace no tenant owns. */
export function workspaceOf(context: Record<string, unknown>): SlackWorkspace | undefined {
  return context.atlantas as SlackWorkspace | undefined;
}

/** The Atlantas actor of a Slack user (via slack), or null when core matches nobody. */
export function actorFor(core: Core, ws: SlackWorkspace, client: WebClient, slackUserId: string): Promise<Actor | null> {
  return core.slack.identify(ws, slackUserId, () => profileOf(client, slackUserId));
}

/** users.info, reduced to identity: the email only when Slack confirmed it. */
async function profileOf(client: WebClient, slackUserId: string): Promise<SlackProfile | null> {
  try {
    const { user } = await client.users.info({ user: slackUserId });
    if (!user || user.deleted) return null;
    return { email: user.profile?.email ?? null, emailConfirmed: user.is_email_confirmed === true, isBot: !!user.is_bot };
  } catch {
    return null; // user_not_found, or Slack down: then nobody is matched by email
  }
}

/** A refusal from core is shown as it is; anything else is logged once and answered with an id. */
export async function answerFailure(err: unknown, respond: RespondFn, log: Logger): Promise<void> {
  let text: string;
  if (err instanceof DomainError) {
    text = refusal(err);
  } else {
    const id = randomUUID();
    log.error({ err, failureId: id }, 'Slack command failed');
    text = failed(id);
  }
  await ephemeral(respond, text);
}

export function ephemeral(respond: RespondFn, text: string): Promise<unknown> {
  return respond({ response_type: 'ephemeral', replace_original: false, text });
}

export type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/**
 * A card button's listener: acknowledged at once, served in the workspace's tenant as the
 * clicker's Atlantas actor (an unknown workspace or an unmatched user is answered and nothing
 * more); what `handle` throws is answered to the clicker alone.
 */
export function buttonListener(deps: SlackDeps, handle: (args: ButtonArgs, actor: Actor, ws: SlackWorkspace) => Promise<void>) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, respond, client, context } = args;
    await ack();
    const ws = workspaceOf(context);
    if (!ws) {
      await ephemeral(respond, UNKNOWN_WORKSPACE);
      return;
    }
    const log = deps.log.child({ team: ws.teamId, action: action.action_id });
    try {
      const actor = await actorFor(deps.core, ws, client, body.user.id);
      if (!actor) {
        await ephemeral(respond, unmatchedUser());
        return;
      }
      await handle(args, actor, ws);
    } catch (err) {
      await answerFailure(err, respond, log);
    }
  };
}
