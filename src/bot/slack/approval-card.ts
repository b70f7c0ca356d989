import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../core/actor.js';
import type { ApprovalRequest } from '../../core/approvals/approval.model.js';
import type { Core } from '../../core/index.js';
import { approvalCard } from './approval-blocks.js';
import { buttonListener, type SlackDeps } from './slack-context.js';

/**
 * The approval gate in Slack: the card an `approval.requested` event posts (what an agent asks,
 * why, until when, with Approve and Reject), and those buttons. Deciding is core's
 * (`approvals.decide`): the clicker must be a person with the role, never the requesting token,
 * and a request is decided exactly once, so a second click is refused to the clicker alone.
 */
export async function postApprovalCard(core: Core, client: WebClient, actor: Actor, approvalId: string, channel: string, publicUrl?: string): Promise<void> {
  const request = await core.approvals.get(actor, approvalId);
  if (request.status !== 'pending') return; // decided before the card went out: nothing to ask
  const view = approvalCard(request, linkOf(request, publicUrl));
  await client.chat.postMessage({ channel, text: view.text, blocks: view.blocks });
}

/** A short line when a request is decided elsewhere (REST, the PR, the assistant): who, where, what came of it. */
export async function postApprovalDecision(core: Core, client: WebClient, actor: Actor, approvalId: string, channel: string, publicUrl?: string): Promise<void> {
  const request = await core.approvals.get(actor, approvalId);
  if (request.decidedVia === 'slack') return; // the card was replaced when it was clicked
  const view = approvalCard(request, linkOf(request, publicUrl));
  await client.chat.postMessage({ channel, text: view.text, blocks: view.blocks });
}

/** Approve / Reject on the card: the decision is core's; the card then shows who decided and what came of it. */
export function approvalButtonHandler(deps: SlackDeps, decision: 'approved' | 'rejected') {
  return buttonListener(deps, async ({ body, action, respond, client }, actor) => {
    const decided = await deps.core.approvals.decide(actor, action.value ?? '', decision, 'from Slack');
    const view = approvalCard(decided, null);
    const channel = body.channel?.id;
    const ts = (body as { message?: { ts?: string } }).message?.ts;
    if (channel && ts) await client.chat.update({ channel, ts, text: view.text, blocks: view.blocks });
    else await respond({ replace_original: true, text: view.text, blocks: view.blocks });
  });
}

function linkOf(request: ApprovalRequest, publicUrl?: string): string | null {
  return publicUrl ? `${publicUrl}/api/v1/approvals/${request.id}` : null;
}
