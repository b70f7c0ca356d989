import { createHmac } from 'node:crypto';
import type { TfeTrigger } from './tfe-notification.schemas.js';
import { escapeMrkdwn } from '../../slack/mrkdwn.js';

/**
 * TFC's notification payload v1 (what a generic destination receives), the Slack and email
 * renderings of the same facts, and the HMAC-SHA512 signature of the body. Pure.
 */
export interface NotificationFacts {
  configurationId: string;
  /** null for a verification */
  run: { id: string; message: string; createdAt: Date; createdBy: string; status: string; updatedAt: Date; updatedBy: string } | null;
  runUrl: string | null;
  workspaceId: string;
  workspaceName: string;
  organization: string;
  trigger: TfeTrigger | 'verification';
  message: string;
}

export interface PayloadV1 {
  payload_version: 1;
  notification_configuration_id: string;
  run_url: string | null;
  run_id: string | null;
  run_message: string | null;
  run_created_at: string | null;
  run_created_by: string | null;
  workspace_id: string;
  workspace_name: string;
  organization_name: string;
  notifications: { message: string; trigger: string; run_status: string | null; run_updated_at: string | null; run_updated_by: string | null }[];
}

export function payloadV1(f: NotificationFacts): PayloadV1 {
  return {
    payload_version: 1,
    notification_configuration_id: f.configurationId,
    run_url: f.runUrl,
    run_id: f.run?.id ?? null,
    run_message: f.run?.message ?? null,
    run_created_at: f.run?.createdAt.toISOString() ?? null,
    run_created_by: f.run?.createdBy ?? null,
    workspace_id: f.workspaceId,
    workspace_name: f.workspaceName,
    organization_name: f.organization,
    notifications: [{
      message: f.message, trigger: f.trigger, run_status: f.run?.status ?? null,
      run_updated_at: f.run?.updatedAt.toISOString() ?? null, run_updated_by: f.run?.updatedBy ?? null,
    }],
  };
}

/** `X-TFE-Notification-Signature`: hex HMAC-SHA512 of the exact body with the configuration's token. */
export function signature(token: string, body: string): string {
  return createHmac('sha512', token).update(body).digest('hex');
}

/** The one-line message of a trigger, as TFC words it. */
export function triggerMessage(trigger: TfeTrigger | 'verification', name: string): string {
  switch (trigger) {
    case 'verification': return `Verification of ${name}`;
    case 'run:created': return 'Run Created';
    case 'run:planning': return 'Run Planning';
    case 'run:needs_attention': return 'Run Needs Attention';
    case 'run:planned': return 'Run Planned';
    case 'run:applying': return 'Run Applying';
    case 'run:completed': return 'Run Completed';
    case 'run:errored': return 'Run Errored';
    case 'run:drift_detected':
    case 'assessment:drifted': return 'Drift Detected';
  }
}

/** An incoming-webhook body: a text fallback and Block Kit sections. */
export function slackBody(f: NotificationFacts): Record<string, unknown> {
  // names, titles and people are the user's text: escaped, so none becomes a mention or a link
  const e = escapeMrkdwn;
  const headline = `${f.message}: ${f.organization}/${f.workspaceName}`;
  const fields = [
    `*Workspace*\n${e(f.workspaceName)}`,
    `*Status*\n${f.run?.status ?? f.trigger}`,
    ...(f.run ? [`*Run*\n${f.runUrl ? `<${f.runUrl}|${f.run.id}>` : f.run.id}`, `*By*\n${e(f.run.updatedBy)}`] : []),
  ];
  return {
    text: f.run ? `${headline} (run ${f.run.id}, ${f.run.status})` : headline,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${e(headline)}*` } },
      { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
      ...(f.run?.message ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: e(f.run.message.slice(0, 500)) }] }] : []),
    ],
  };
}

export function emailMessage(f: NotificationFacts): { subject: string; text: string } {
  const subject = `[${f.organization}/${f.workspaceName}] ${f.message}${f.run ? `: ${f.run.status}` : ''}`;
  const lines = [
    `${f.message} in workspace ${f.workspaceName} (organization ${f.organization}).`,
    '',
    `Workspace: ${f.workspaceName}`,
    ...(f.run ? [`Run: ${f.run.id}`, `Status: ${f.run.status}`, `Message: ${f.run.message}`, `Triggered by: ${f.run.updatedBy}`] : []),
    ...(f.runUrl ? [`Details: ${f.runUrl}`] : []),
  ];
  return { subject, text: lines.join('\n') + '\n' };
}
