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
