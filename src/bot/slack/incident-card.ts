import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../core/actor.js';
import type { Core } from '../../core/index.js';
import { incidentCard, incidentResolvedText } from './incident-blocks.js';
import { buttonListener, type SlackDeps } from './slack-context.js';

/**
 * Incidents in Slack: `incident.opened` posts the card (Acknowledge, Resolve) and records where,
 * as a notification link on the incident; `incident.resolved` brings that card up to date and
 * says so in its thread; `incident.updated` (a status changed through REST, MCP or another
 * card) updates the card in place. The outbox tells each event once, so each card is posted once.
 */
export async function postIncidentOpened(core: Core, client: WebClient, actor: Actor, incidentId: string, channel: string, publicUrl?: string): Promise<void> {
  const incident = await core.incidents.get(actor, incidentId);
  const view = incidentCard(incident, linkOf(incidentId, publicUrl));
  const posted = await client.chat.postMessage({ channel, text: view.text, blocks: view.blocks });
  await core.incidents.recordNotification(actor, incident.id, { channel: 'slack', destination: posted.channel ?? channel, messageRef: posted.ts! });
}

export async function postIncidentResolved(core: Core, client: WebClient, actor: Actor, incidentId: string, channel: string, publicUrl?: string): Promise<void> {
  const { incident, cards } = await refreshIncidentCards(core, client, actor, incidentId, publicUrl);
  const thread = cards.find((c) => c.destination === channel);
  const text = incidentResolvedText(incident);
  await client.chat.postMessage({ channel, text, ...(thread ? { thread_ts: thread.messageRef } : {}) });
}

/** Brings every card of the incident up to date with it as it is now (`incident.updated`: a status changed elsewhere). */
export async function refreshIncidentCards(core: Core, client: WebClient, actor: Actor, incidentId: string, publicUrl?: string) {
  const incident = await core.incidents.get(actor, incidentId);
  const cards = (await core.incidents.notificationsOf(actor, incident.id)).filter((n) => n.channel === 'slack');
  const view = incidentCard(incident, linkOf(incidentId, publicUrl));
  for (const card of cards) await client.chat.update({ channel: card.destination, ts: card.messageRef, text: view.text, blocks: view.blocks });
  return { incident, cards };
}

/** Acknowledge / Resolve on the card, as the clicking Slack user: core walks the machine's edges; the card then shows where it is. */
export function incidentButtonHandler(deps: SlackDeps, action: 'acknowledge' | 'resolve', publicUrl?: string) {
  return buttonListener(deps, async ({ body, action: button, respond, client }, actor) => {
    const id = button.value ?? '';
    const incident = action === 'acknowledge'
      ? await deps.core.incidents.acknowledge(actor, id)
      : await deps.core.incidents.resolve(actor, id, 'resolved from Slack');
    const view = incidentCard(incident, linkOf(incident.id, publicUrl));
    const channel = body.channel?.id;
    const ts = (body as { message?: { ts?: string } }).message?.ts;
    if (channel && ts) await client.chat.update({ channel, ts, text: view.text, blocks: view.blocks });
    else await respond({ replace_original: true, text: view.text, blocks: view.blocks });
  });
}

function linkOf(id: string, publicUrl?: string): string | null {
  return publicUrl ? `${publicUrl}/api/incidents/${id}` : null;
}
