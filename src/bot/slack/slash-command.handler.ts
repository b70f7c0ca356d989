import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { actorFor, answerFailure, ephemeral, workspaceOf, type SlackDeps } from './slack-context.js';
import { parseSlackCommand, slackHelp } from './slack-grammar.js';
import { linked, unmatchedUser, UNKNOWN_WORKSPACE } from './replies.js';
import { runCommand } from './run-command.js';

/**
 * `/atlantas …`. Help, usage errors and a stranger's workspace are answered in the ack itself;
 * everything else is acknowledged at once (Slack's 3 s) and answered through `respond()`.
 */
export function slashCommandHandler(deps: SlackDeps) {
  return async ({ command, ack, respond, client, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const ws = workspaceOf(context);
    if (!ws) return ack({ response_type: 'ephemeral', text: UNKNOWN_WORKSPACE });
    const cmd = parseSlackCommand(command.text ?? '');
    if (cmd.kind === 'help') return ack({ response_type: 'ephemeral', text: slackHelp(cmd.unknown) });
    if (cmd.kind === 'error') return ack({ response_type: 'ephemeral', text: cmd.text });
    await ack();
    const log = deps.log.child({ team: ws.teamId, command: cmd.kind });
    try {
      if (cmd.kind === 'link') {
        await ephemeral(respond, linked(await deps.core.slack.redeemLinkCode(ws, command.user_id, cmd.code)));
        return;
      }
      const actor = await actorFor(deps.core, ws, client, command.user_id);
      if (!actor) {
        await ephemeral(respond, unmatchedUser());
        return;
      }
      await ephemeral(respond, await runCommand(deps, actor, { ws, client, slackUserId: command.user_id, channelId: command.channel_id }, cmd));
    } catch (err) {
      await answerFailure(err, respond, log);
    }
  };
}
