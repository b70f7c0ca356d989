import { z } from 'zod';
import { SlackChannel } from '../projects/project.schemas.js';

/** PUT /api/v1/notifications/settings: the tenant's default channel (null clears it). */
export const NotificationSettingsInput = z.object({ default_channel: SlackChannel }).strict();
