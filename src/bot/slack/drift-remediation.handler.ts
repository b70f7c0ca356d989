import { ephemeral, buttonListener, type SlackDeps } from './slack-context.js';
import { noCard, remediationQueued } from './replies.js';

/**
 * The drift message's Plan remediation button: core plans the remediation as the clicking Slack
 * user (the same call as REST's remediate plan, with that user's permission, tenancy and locks)
 * and keeps the plan; its run card, in the drift message's thread, follows it and offers Approve
 * apply — an ordinary apply, with the ordinary approval rules. Nothing is applied by the click.
 */
export function planRemediationHandler(deps: SlackDeps) {
  return buttonListener(deps, async ({ body, action, respond, client }, actor, ws) => {
    const view = await deps.core.driftRemediations.remediateRecord(actor, action.value ?? '', 'plan', { wait: false, keepPlan: true });
    const channel = body.channel?.id ?? '';
    const threadTs = (body as { message?: { ts?: string } }).message?.ts;
    let refused: string | null = null;
    for (const p of view.projects) if (p.run) refused ??= await deps.cards.post(client, actor, channel, body.user.id, ws.teamId, p.run, threadTs);
    await ephemeral(respond, remediationQueued(view) + (refused ? `\n${noCard(refused)}` : ''));
  });
}
