import { buttonListener, ephemeral, type SlackDeps } from './slack-context.js';
import { runCommand } from './run-command.js';

/**
 * The card's Approve apply and Discard buttons: the same core calls as `/atlantas apply|discard`.
 * Exactly-once is core's: approving is a conditional update of the run, so a second click, a
 * second approver or another replica gets core's refusal, shown to the clicker alone.
 */
export function buttonHandler(deps: SlackDeps, kind: 'apply' | 'discard') {
  return buttonListener(deps, async ({ body, action, respond, client }, actor, ws) => {
    const origin = { ws, client, slackUserId: body.user.id, channelId: body.channel?.id ?? '' };
    try {
      await ephemeral(respond, await runCommand(deps, actor, origin, { kind, runId: action.value ?? '' }));
    } catch (err) {
      // A refused click was on an outdated card (superseded, decided elsewhere): show everyone what the run is now.
      await deps.cards.refresh(client, actor, action.value ?? '').catch(() => null);
      throw err;
    }
  });
}
