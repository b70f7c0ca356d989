import { describe, expect, it } from 'vitest';
import type { ProjectLock } from '../../../src/core/locks/project-lock.model.js';
import type { Run } from '../../../src/core/runs/run.model.js';
import { appliedMessage, erroredMessage, lockHeldLongMessage, needsApprovalMessage } from '../../../src/bot/slack/notification-messages.js';

const RUN_ID = '0b7c3a52-6a7e-4b43-9d0e-2c1f6f0a1e11';
const run = (o: Partial<Run>): Run => ({
  id: RUN_ID, repoFullName: 'acme/infra', dir: 'network', workspace: 'prod', projectName: '', prNumber: null, approvedBy: null,
  summary: null, error: null, statusReason: null, ...o,
}) as Run;

describe('notification messages (pure)', () => {
  it('names project, workspace, what happened and the run', () => {
    expect(appliedMessage(run({ approvedBy: 'bob@example.com', prNumber: 7 }), 'https://a.example/api/v1/runs/x')).toEqual({
      text: ':large_green_circle: Applied acme/infra/network (prod) · acme/infra#7 — <https://a.example/api/v1/runs/x|run 0b7c3a52>, approved by bob@example.com',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':large_green_circle: *Applied* acme/infra/network (prod) · acme/infra#7 — <https://a.example/api/v1/runs/x|run 0b7c3a52>, approved by bob@example.com' } }],
    });
    expect(needsApprovalMessage(run({ projectName: 'net', summary: 'Plan: 1 to add, 0 to change, 0 to destroy.' }), null).blocks[0]).toEqual({
      type: 'section', text: { type: 'mrkdwn', text: `:eyes: *Waiting for approval* net (prod) — run \`${RUN_ID}\`\nPlan: 1 to add, 0 to change, 0 to destroy.` },
    });
  });

  it('shows the first lines of an error, escaped', () => {
    const error = ['Error: local-exec provisioner error', '  with terraform_data.fail, <boom> & more', ...Array.from({ length: 20 }, (_, i) => `line ${i}`)].join('\n');
    const m = erroredMessage(run({ error }), null);
    expect(m.blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '```Error: local-exec provisioner error\n  with terraform_data.fail, &lt;boom&gt; &amp; more\nline 0\nline 1\nline 2\nline 3\nline 4\nline 5```' },
    });
  });

  it('says how long a lock has been held and how to release it', () => {
    const lock = { id: 'L1', repoFullName: 'acme/infra', dir: 'network', workspace: 'default', holderName: 'alice@example.com', lockedAt: new Date('2026-12-01T10:00:00Z') } as ProjectLock;
    const m = lockHeldLongMessage(lock, new Date('2026-12-02T12:30:00Z'));
    expect(m.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: ':lock: *Lock held for 26h*: acme/infra network (default) by alice@example.com since 2026-12-01T10:00:00.000Z' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'Release it with `/atlantas unlock L1` if nobody needs it any more.' } },
    ]);
  });
});
