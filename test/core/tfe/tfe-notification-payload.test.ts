import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emailMessage, payloadV1, signature, slackBody, type NotificationFacts } from '../../../src/core/tfe/notifications/tfe-notification-payload.js';
import { triggersOfStatus } from '../../../src/core/tfe/notifications/tfe-notification-triggers.js';
import { NotificationDocument, notificationSettings } from '../../../src/core/tfe/notifications/tfe-notification.schemas.js';

const facts: NotificationFacts = {
  configurationId: 'nc-1', workspaceId: 'ws-1', workspaceName: 'network', organization: 'acme', trigger: 'run:completed', message: 'Run Completed',
  runUrl: 'https://atlantas.example.com/api/v1/runs/r-1',
  run: { id: 'r-1', message: 'nightly', createdAt: new Date('2026-12-04T10:00:00Z'), createdBy: 'ana', status: 'applied', updatedAt: new Date('2026-12-04T10:05:00Z'), updatedBy: 'bo' },
};

/** The pure parts of TFE notifications: the payload v1, its signature, renderings, triggers of a status, input checks. */
describe('TFE notification payloads', () => {
  it('is TFC\'s payload v1, signed with the hex HMAC-SHA512 of the exact body', () => {
    expect(payloadV1(facts)).toEqual({
      payload_version: 1, notification_configuration_id: 'nc-1', run_url: 'https://atlantas.example.com/api/v1/runs/r-1', run_id: 'r-1', run_message: 'nightly',
      run_created_at: '2026-12-04T10:00:00.000Z', run_created_by: 'ana', workspace_id: 'ws-1', workspace_name: 'network', organization_name: 'acme',
      notifications: [{ message: 'Run Completed', trigger: 'run:completed', run_status: 'applied', run_updated_at: '2026-12-04T10:05:00.000Z', run_updated_by: 'bo' }],
    });
    const body = JSON.stringify(payloadV1(facts));
    expect(signature('s3cret', body)).toBe(createHmac('sha512', 's3cret').update(body).digest('hex'));
    expect(signature('s3cret', body)).toMatch(/^[0-9a-f]{128}$/);
    expect(payloadV1({ ...facts, run: null, runUrl: null, trigger: 'verification' })).toMatchObject({ run_id: null, run_created_at: null, notifications: [{ run_status: null }] });
  });

  it('renders Slack and email with the workspace and the run status', () => {
    const slack = slackBody(facts) as { text: string; blocks: unknown[] };
    expect(slack.text).toBe('Run Completed: acme/network (run r-1, applied)');
    expect(JSON.stringify(slack.blocks)).toContain('<https://atlantas.example.com/api/v1/runs/r-1|r-1>');
    expect(emailMessage(facts)).toMatchObject({ subject: '[acme/network] Run Completed: applied', text: expect.stringContaining('Status: applied') });
  });

  it('escapes the user\'s text in Slack mrkdwn: a run title cannot mention the channel or disguise a link', () => {
    const hostile = slackBody({ ...facts, workspaceName: 'net<!here>', run: { ...facts.run!, message: '<!channel> see <https://evil.example|the plan>', updatedBy: 'bo & <@U1>' } });
    const blocks = JSON.stringify((hostile as { blocks: unknown[] }).blocks);
    expect(blocks).toContain('&lt;!channel&gt; see &lt;https://evil.example|the plan&gt;');
    expect(blocks).toContain('net&lt;!here&gt;');
    expect(blocks).toContain('bo &amp; &lt;@U1&gt;');
    expect(blocks).not.toMatch(/<!channel>|<!here>|<https:\/\/evil/);
    expect(blocks).toContain('<https://atlantas.example.com/api/v1/runs/r-1|r-1>'); // our own link stays a link
  });

  it('maps run statuses to triggers, run:created riding along', () => {
    expect(triggersOfStatus('planning')).toEqual(['run:created', 'run:planning']);
    expect(triggersOfStatus('planned')).toEqual(['run:created', 'run:planned', 'run:needs_attention']);
    expect(triggersOfStatus('planned_and_finished')).toEqual(['run:created', 'run:planned', 'run:completed']);
    expect(triggersOfStatus('applied')).toEqual(['run:created', 'run:completed']);
    expect(triggersOfStatus('errored')).toEqual(['run:created', 'run:errored']);
    expect(triggersOfStatus('confirmed')).toEqual([]);
    expect(triggersOfStatus('canceled')).toEqual([]);
  });

  it('names an unknown trigger or destination type', () => {
    const doc = (attributes: Record<string, unknown>) => NotificationDocument.parse({ data: { type: 'notification-configurations', attributes } });
    expect(() => notificationSettings(doc({ triggers: ['run:completed', 'run:nope', 'x'] }))).toThrow('"run:nope", "x" are not triggers');
    expect(() => notificationSettings(doc({ 'destination-type': 'sms' }))).toThrow('"sms" is not a destination type');
    expect(notificationSettings(doc({ triggers: ['assessment:drifted', 'assessment:drifted'], 'email-addresses': ['a@b.example'] }))).toMatchObject({
      triggers: ['assessment:drifted'], emailAddresses: ['a@b.example'],
    });
  });
});
