import type { NotificationKind } from './notification.js';

/** What routing knows about an event's project (null: the event has none, or it was deleted). */
export interface ProjectRoute {
  name: string;
  slackChannel: string | null;
  /** the kinds this project notifies; null = every kind */
  notifyEvents: string[] | null;
}

export type Route = { destination: string } | { skip: string };

/**
 * Where an event goes (pure): the project's `slack_channel`, else the tenant's default channel,
 * else the server's ATLANTAS_SLACK_CHANNEL, which serves the default tenant only (another
 * tenant's events never land in the operator's workspace). A project that lists its kinds
 * silences the others.
 */
export function routeEvent(kind: NotificationKind, project: ProjectRoute | null, tenantDefault: string | null, serverDefault: string | null): Route {
  if (project?.notifyEvents && !project.notifyEvents.includes(kind)) return { skip: `project ${project.name} does not notify ${kind}` };
  const destination = project?.slackChannel || tenantDefault || serverDefault;
  return destination ? { destination } : { skip: 'no channel configured (project slack_channel, tenant default channel or ATLANTAS_SLACK_CHANNEL)' };
}
