import { z } from 'zod';

/** POST /api/v1/slack/installations: connect a workspace to the caller's tenant by its bot token. */
export const CreateSlackInstallationInput = z.object({
  team_id: z.string().regex(/^[TE][A-Z0-9]{2,20}$/, 'expected a Slack team id such as T0123ABCD'),
  team_name: z.string().max(200).optional(),
  bot_token: z.string().regex(/^xoxb-[A-Za-z0-9-]{10,}$/, 'expected a bot token (xoxb-…) from the app\'s OAuth & Permissions page'),
  bot_user_id: z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'expected a Slack user id such as U0123ABCD').optional(),
  default_channel: z.string().regex(/^[CGD][A-Z0-9]{2,20}$|^#[a-z0-9_-]{1,80}$/, 'expected a channel id (C0123ABCD) or #name').optional(),
}).strict();
export type CreateSlackInstallationInput = z.infer<typeof CreateSlackInstallationInput>;

export const SlackInstallationResource = z.object({
  id: z.string(), team_id: z.string(), team_name: z.string(), bot_user_id: z.string().nullable(), default_channel: z.string().nullable(),
  installed_by: z.string(), created_at: z.string(), updated_at: z.string(),
}).describe('a Slack workspace connected to your tenant; its bot token is never shown');
export const SlackLinkCode = z.object({
  code: z.string().describe('type `/atlantas link <code>` in Slack; works once'), expires_at: z.string(),
});
export const SlackInstallLink = z.object({
  url: z.string().describe('open it in a browser to add the Atlantas app to a Slack workspace for your tenant'), expires_at: z.string(),
});
