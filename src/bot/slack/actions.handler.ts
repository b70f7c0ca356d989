import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { actorFor, answerFailure, ephemeral, workspaceOf, type SlackDeps } from './slack-context.js';
import { unmatchedUser, UNKNOWN_WORKSPACE } from './replies.js';
import { runCommand } from './run-command.js';

/**
 * The card's Approve apply and Discard buttons: the same core calls as `/atlantas apply|discard`.
 * Exactly-once is core's: approving is a conditional update of the run, so a second click, a
 * second approver or another replica gets core's refusal, shown to the clicker alone.
 */
export function buttonHandler(deps: SlackDeps, kind: 'apply' | 'discard') {
  return async ({ ack, body, action, respond, client, context }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs): Promise<void> => {
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
      const origin = { ws, client, slackUserId: body.user.id, channelId: body.channel?.id ?? '' };
      try {
        await ephemeral(respond, await runCommand(deps, actor, origin, { kind, runId: action.value ?? '' }));
      } catch (err) {
        // A refused click was on an outdated card (superseded, decided elsewhere): show everyone what the run is now.
        await deps.cards.refresh(client, actor, action.value ?? '').catch(() => null);
        throw err;
      }
    } catch (err) {
      await answerFailure(err, respond, log);
    }
  };
}
