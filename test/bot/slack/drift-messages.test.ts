import { describe, expect, it } from 'vitest';
import { driftDetectedMessage, driftResolvedMessage } from '../../../src/bot/slack/drift-messages.js';
import { codebaseChangedMessage, stateAlertMessage } from '../../../src/bot/slack/notification-messages.js';
import type { DriftRecord } from '../../../src/core/drift/drift-record.js';

const record = (values: Partial<DriftRecord>): DriftRecord => ({
  id: 'd1', tenantId: 't', projectId: 'p', environmentId: null, repoFullName: 'acme/infra', dir: 'network', workspace: 'default', projectName: 'network', ref: 'main',
  commitSha: '0123456789abcdef', status: 'checked', reason: null, checkId: 'k', refreshRunId: 'r1', planRunId: 'r2', hasDrift: true,
  counts: { toAdd: 0, toChange: 2, toDestroy: 0, toImport: 0 }, summary: 'Plan: 0 to add, 2 to change, 0 to destroy.', changesOutside: true, pendingCodeChanges: true,
  details: {
    changesOutside: [{ address: 'aws_db_instance.main', action: 'update', attributes: ['password', 'instance_class'], sensitiveAttributes: ['password'] }],
    pendingCodeChanges: [{ address: 'terraform_data.r0', action: 'update', attributes: ['input'], sensitiveAttributes: [] }],
  },
  fingerprint: 'f', episode: 1, notifiedFingerprint: 'f', lastCheckedAt: new Date('2026-12-04T08:00:00Z'), resolvedAt: null, resolvedBy: null,
  createdAt: new Date(), updatedAt: new Date(), ...values,
});

describe('Slack drift and agent messages (pure)', () => {
  it('lists the drifted resources by address and attribute name, marks sensitive ones, and offers Plan remediation', () => {
    const m: { text: string; blocks: any[] } = driftDetectedMessage(record({}), 'https://a.example/api/v1/runs/r2');
    expect(m.text).toBe('Drift detected in network (default): Plan: 0 to add, 2 to change, 0 to destroy. (aws_db_instance.main, terraform_data.r0)');
    expect(m.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Drift detected: network (default)' } });
    expect(m.blocks[1].elements[0].text).toBe('*acme/infra* · dir `network` · main @ `0123456` · checked 2026-12-04T08:00:00.000Z · <https://a.example/api/v1/runs/r2|plan run>');
    expect(m.blocks[3].text.text).toBe('*Changed outside Terraform*\n• `update` aws_db_instance.main — password (sensitive), instance_class');
    expect(m.blocks[4].text.text).toBe('*Code not yet applied*\n• `update` terraform_data.r0 — input');
    expect(m.blocks[5]).toEqual({
      type: 'actions', block_id: 'drift_actions',
      elements: [{ type: 'button', action_id: 'plan_remediation', text: { type: 'plain_text', text: 'Plan remediation' }, style: 'primary', value: 'd1' }],
    });
  });

  it('names an unregistered root module by its repository path', () => {
    const m: { blocks: any[] } = driftDetectedMessage(record({ projectId: null, projectName: '', dir: 'edge', details: null }), null);
    expect(m.blocks[0].text.text).toBe('Drift detected: acme/infra/edge (default)');
    expect(m.blocks[1].elements[0].text).toContain('not a registered project');
  });

  it('says how drift was resolved', () => {
    expect(driftResolvedMessage(record({ hasDrift: false })).text).toBe(':white_check_mark: Drift resolved in network (default): the latest check found no drift (checked 2026-12-04T08:00:00.000Z)');
    expect(driftResolvedMessage(record({ resolvedBy: 'alice@example.com', resolvedAt: new Date() })).text).toContain('marked resolved by alice@example.com');
  });

  it('renders a state alert and a codebase change', () => {
    const alert = stateAlertMessage({ kind: 'state.alert', tenantId: 't', projectId: null, stateId: 's1', reason: 'net (default): serial went backwards from 5 to 3 in version 7' }, 'net (default)');
    expect(alert.text).toBe(':rotating_light: State alert net (default): net (default): serial went backwards from 5 to 3 in version 7');
    const gone = codebaseChangedMessage({ kind: 'codebase.changed', tenantId: 't', projectId: null, change: 'unregistered', projectName: 'infra-old', repoFullName: 'acme/infra', dir: 'old', agentName: 'scan' });
    expect(gone.text).toBe(':wastebasket: Project unregistered: infra-old — acme/infra old has no terraform files any more');
  });
});
