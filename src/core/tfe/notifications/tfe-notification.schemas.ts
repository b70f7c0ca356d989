import { z } from 'zod';
import { InputError } from '../../errors.js';

/** The triggers a configuration may tell (TFC's names, and Terrapod's `run:planned` / `run:drift_detected`). */
export const TFE_TRIGGERS = [
  'run:created', 'run:planning', 'run:needs_attention', 'run:planned', 'run:applying', 'run:completed', 'run:errored',
  'run:drift_detected', 'assessment:drifted',
] as const;
export type TfeTrigger = (typeof TFE_TRIGGERS)[number];

export const DESTINATION_TYPES = ['generic', 'slack', 'email'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

/** What a client may set; on update every field is optional (only what changes is sent). */
export interface NotificationSettings {
  name?: string;
  destinationType?: DestinationType;
  url?: string | null;
  token?: string | null;
  enabled?: boolean;
  triggers?: TfeTrigger[];
  emailAddresses?: string[];
}

const Email = z.string().trim().max(254).regex(/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/, 'must be an email address such as ops@example.com');

/** Types only; the values' meaning (a trigger TFC knows, a destination's required fields) is checked below, naming what to fix. */
const Attributes = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100),
  'destination-type': z.string(),
  url: z.string().max(2000).nullable(),
  token: z.string().max(1000).nullable(),
  enabled: z.boolean(),
  triggers: z.array(z.string().max(100)).max(20),
  'email-addresses': z.array(Email).max(50),
}).partial().passthrough();

export const NotificationDocument = z.object({
  data: z.object({ type: z.string().optional(), attributes: Attributes.optional() }).passthrough(),
});

const invalid = (message: string) => new InputError(message, { code: 'tfe_notification_invalid' });

/** The document's attributes as settings; an unknown destination type or trigger is refused by name (422). */
export function notificationSettings(doc: z.output<typeof NotificationDocument>): NotificationSettings {
  const a = doc.data.attributes ?? {};
  const type = a['destination-type'];
  if (type !== undefined && !(DESTINATION_TYPES as readonly string[]).includes(type)) {
    throw invalid(`data.attributes.destination-type: "${type}" is not a destination type; use generic, slack or email`);
  }
  const bad = a.triggers?.filter((t) => !(TFE_TRIGGERS as readonly string[]).includes(t));
  if (bad?.length) throw invalid(`data.attributes.triggers: ${bad.map((t) => `"${t}"`).join(', ')} ${bad.length > 1 ? 'are not triggers' : 'is not a trigger'}; valid triggers are ${TFE_TRIGGERS.join(', ')}`);
  return {
    name: a.name, destinationType: type as DestinationType | undefined, url: a.url, token: a.token, enabled: a.enabled,
    triggers: a.triggers ? [...new Set(a.triggers)] as TfeTrigger[] : undefined, emailAddresses: a['email-addresses'],
  };
}

/** What a complete configuration needs for its destination type (after an update merged the changes). */
export function assertComplete(c: { destinationType: DestinationType; url: string | null; emailAddresses: string[]; name: string }): void {
  if (!c.name) throw invalid('data.attributes.name: is required');
  if ((c.destinationType === 'generic' || c.destinationType === 'slack') && !c.url) {
    throw invalid(`data.attributes.url: a ${c.destinationType} notification configuration needs a url${c.destinationType === 'slack' ? ' (the Slack incoming webhook URL)' : ''}`);
  }
  if (c.destinationType === 'email' && !c.emailAddresses.length) throw invalid('data.attributes.email-addresses: an email notification configuration needs at least one address');
}
