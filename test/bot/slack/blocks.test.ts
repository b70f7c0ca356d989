import { describe, expect, it } from 'vitest';
import type { Run } from '../../../src/core/runs/run.model.js';
import { runCard } from '../../../src/bot/slack/blocks.js';

const RUN_ID = '0b7c3a52-6a7e-4b43-9d0e-2c1f6f0a1e11';

function run(overrides: Partial<Run> = {}): Run {
  return {
    id: RUN_ID, tenantId: 't', projectId: null, environmentId: null, title: '', operation: 'plan', source: 'slack', status: 'planned',
    repoFullName: 'acme/infra', repoUrl: 'https://github.com/acme/infra.git', dir: 'network', workspace: 'default', projectName: '', stateName: null,
    batchId: null, dependsOnRunIds: [], applyRequirements: [], ref: 'refs/pull/7/head', commitSha: '4f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f',
    prNumber: 7, prUrl: 'https://github.com/acme/infra/pull/7', extraArgs: [], autoApply: false, keepPlan: false, hasChanges: true,
    resourcesAdded: 2, resourcesChanged: 1, resourcesDestroyed: 0, resourcesImported: 0, summary: 'Plan: 2 to add, 1 to change, 0 to destroy.',
    resourceChanges: [{ address: 'terraform_data.a', action: 'create' }, { address: 'terraform_data.b', action: 'create' }, { address: 'terraform_data.c', action: 'update' }],
    resourceDrift: null, error: null, statusReason: null, actorKind: 'user', actorId: null, actorName: 'alice@example.com', via: 'slack',
    approvedBy: null, approvedAt: null, stateSerialAtPlan: null, stateLineageAtPlan: null, scheduledAt: null, queuedAt: null, startedAt: null,
    plannedAt: null, finishedAt: null, workerId: null, runnerPid: null, heartbeatAt: null, cancelRequestedAt: null,
    createdAt: new Date(0), updatedAt: new Date(0), ...overrides,
  };
}

const URL = `https://atlantas.example.com/api/v1/runs/${RUN_ID}`;
const header = (text: string) => ({ type: 'header', text: { type: 'plain_text', text } });
const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const CONTEXT = `*acme/infra*<https://github.com/acme/infra/pull/7|#7> · dir \`network\` · \`4f2a9c1\` · started by <@UALICE> from Slack · <${URL}|run 0b7c3a52>`;
const OPEN = { type: 'button', action_id: 'open_run', text: { type: 'plain_text', text: 'Open run' }, url: URL };

describe('run cards (Block Kit, pure)', () => {
  it('shows a planned run with its counts, changes and the two buttons', () => {
    expect(runCard({ run: run(), startedBy: 'UALICE', runUrl: URL })).toEqual({
      text: 'acme/infra/network (default): planned — Plan: 2 to add, 1 to change, 0 to destroy.',
      blocks: [
        header('acme/infra/network · default'),
        context(CONTEXT),
        section(':eyes: *Planned* — waiting for approval'),
        section('Plan: 2 to add, 1 to change, 0 to destroy.\n*2* to add · *1* to change · *0* to destroy'),
        section('+ `create` terraform_data.a\n+ `create` terraform_data.b\n~ `update` terraform_data.c'),
        {
          type: 'actions', block_id: 'run_actions', elements: [
            { type: 'button', action_id: 'approve_apply', text: { type: 'plain_text', text: 'Approve apply' }, style: 'primary', value: RUN_ID },
            { type: 'button', action_id: 'discard_plan', text: { type: 'plain_text', text: 'Discard' }, style: 'danger', value: RUN_ID },
            OPEN,
          ],
        },
      ],
    });
  });

  it('warns in bold about destroys and replacements, and asks to confirm the apply', () => {
    const card = runCard({
      run: run({
        projectName: 'net', resourcesAdded: 1, resourcesChanged: 0, resourcesDestroyed: 2, summary: 'Plan: 1 to add, 0 to change, 2 to destroy.',
        resourceChanges: [{ address: 'terraform_data.old', action: 'delete' }, { address: 'terraform_data.swap', action: 'replace' }],
      }),
      startedBy: 'UALICE', runUrl: null,
    });
    expect(card.blocks[0]).toEqual(header('net · default'));
    expect(card.blocks[3]).toEqual(section('Plan: 1 to add, 0 to change, 2 to destroy.\n*1* to add · *0* to change · *2* to destroy\n:warning: *This plan destroys 2 resource(s), 1 by replacement.*'));
    expect(card.blocks[4]).toEqual(section(':heavy_minus_sign: `delete` terraform_data.old\n:warning: `replace` terraform_data.swap'));
    expect((card.blocks[5] as any).elements[0].confirm).toEqual({
      title: { type: 'plain_text', text: 'Apply with destroys?' },
      text: { type: 'mrkdwn', text: 'This apply destroys *2* resource(s) in net (default).' },
      confirm: { type: 'plain_text', text: 'Apply' },
      deny: { type: 'plain_text', text: 'Cancel' },
    });
    expect(JSON.stringify(card.blocks)).toContain(`run \`${RUN_ID}\``); // no public URL: the id instead of a link
  });

  it('follows the run: approved, applying, applied — without buttons once decided', () => {
    const approved = { approvedBy: 'bob@example.com' };
    expect(runCard({ run: run({ status: 'confirmed', ...approved }), startedBy: 'UALICE', runUrl: URL }).blocks[2]).toEqual(section(':white_check_mark: *Approved by bob@example.com* — waiting to apply'));
    expect(runCard({ run: run({ status: 'applying', ...approved }), startedBy: 'UALICE', runUrl: URL }).blocks[2]).toEqual(section(':gear: *Applying…* (approved by bob@example.com)'));
    const applied = runCard({ run: run({ status: 'applied', ...approved }), startedBy: 'UALICE', runUrl: URL });
    expect(applied.blocks[2]).toEqual(section(':large_green_circle: *Applied* (approved by bob@example.com)'));
    expect(applied.blocks.at(-1)).toEqual({ type: 'actions', block_id: 'run_actions', elements: [OPEN] });
    expect(runCard({ run: run({ status: 'planning', hasChanges: null, resourceChanges: null }), startedBy: 'UALICE', runUrl: null }).blocks).toEqual([
      header('acme/infra/network · default'), context(CONTEXT.replace(` · <${URL}|run 0b7c3a52>`, ` · run \`${RUN_ID}\``)), section(':hourglass_flowing_sand: *Planning…*'),
    ]);
  });

  it('shows the first lines of an error, escaped, and truncates long change lists', () => {
    const error = ['Error: boom <script>', ...Array.from({ length: 20 }, (_, i) => `line ${i}`)].join('\n');
    const errored = runCard({ run: run({ status: 'errored', error }), startedBy: 'UALICE', runUrl: null });
    expect(errored.blocks[2]).toEqual(section(':red_circle: *Errored*\n```Error: boom &lt;script&gt;\nline 0\nline 1\nline 2\nline 3\nline 4\nline 5\nline 6```'));
    const many = Array.from({ length: 14 }, (_, i) => ({ address: `terraform_data.r${i}`, action: 'create' }));
    const text = (runCard({ run: run({ resourceChanges: many }), startedBy: 'U', runUrl: null }).blocks[4] as any).text.text as string;
    expect(text.split('\n')).toHaveLength(11);
    expect(text.split('\n').at(-1)).toBe('…and 4 more');
  });
});
