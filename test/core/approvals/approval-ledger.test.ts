import { randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Actor } from '../../../src/core/actor.js';
import { ApprovalLedger, type RequestedAction } from '../../../src/core/approvals/approval-ledger.js';
import { ApprovalRepository } from '../../../src/core/approvals/approval.repository.js';
import { AuditRepository } from '../../../src/core/audit/audit.repository.js';
import { AuditLog } from '../../../src/core/audit/audit.service.js';
import { connectDb } from '../../../src/core/db/connection.js';
import { migrate } from '../../../src/core/db/migrate.js';
import { defineModels } from '../../../src/core/db/models.js';
import type { NotificationEvent, Notifier } from '../../../src/core/notifications/notification.js';
import type { ProjectsService } from '../../../src/core/projects/projects.service.js';
import { captureLogs } from '../../harness/capture-logs.js';
import { createTestSchema, testDatabaseUrl } from '../../harness/test-db.js';

/** The ledger on real PostgreSQL: one pending request per target, one event per fact, one decision ever. */
async function ledger() {
  const { schema, drop } = await createTestSchema();
  onTestFinished(drop);
  const logs = captureLogs('warn');
  const db = await connectDb({ url: testDatabaseUrl(), schema, poolMax: 4, dataDir: '/nonexistent', log: logs.log });
  onTestFinished(() => db.close());
  await migrate(db, logs.log);
  const [tenant] = await db.sequelize.query<{ id: string }>("INSERT INTO tenants (name, slug) VALUES ('T', 't') RETURNING id", { type: QueryTypes.SELECT });
  const events: NotificationEvent[] = [];
  const notifier: Notifier = { publish: async (e, o) => void (o?.transaction ? o.transaction.afterCommit(() => void events.push(e)) : events.push(e)) };
  const repo = new ApprovalRepository({ sequelize: db.sequelize });
  const audit = new AuditLog({ repo: new AuditRepository({ model: defineModels(db.sequelize).AuditEntry }) });
  const now = { t: new Date() };
  // policy verdicts (which read projects) are tested end to end in test/mcp/approval-gate.test.ts
  const projects = { require: () => Promise.reject(new Error('not used here')) } as unknown as ProjectsService;
  const l = new ApprovalLedger({ sequelize: db.sequelize, repo, audit, notifier, clock: { now: () => now.t }, ttlMs: 3_600_000, projects });
  const agent: Actor = { kind: 'token', tenantId: tenant!.id, role: 'member', userId: randomUUID(), tokenId: randomUUID(), name: 'bot (token a)', via: 'mcp', isPlatformAdmin: false, automation: true };
  return { l, repo, events, agent, now, tenantId: tenant!.id };
}

const applyRun = (): RequestedAction => ({ action: 'run_apply', targetType: 'run', targetId: randomUUID(), projectId: null, runId: null, reason: 'ship', summary: 'apply x' });

describe('approval ledger', () => {
  it('keeps one pending request per target and publishes approval.requested once, after commit', async () => {
    const { l, events, agent } = await ledger();
    const what = applyRun();
    const first = await l.request(agent, what);
    const again = await l.request(agent, { ...what, reason: 'ship again' });
    expect(again.id).toBe(first.id);
    expect(events).toEqual([{ kind: 'approval.requested', tenantId: agent.tenantId, projectId: null, approvalId: first.id }]);
  });

  it('decides exactly once under concurrent decisions, and never after expiry', async () => {
    const { l, repo, agent, now, tenantId } = await ledger();
    const request = await l.request(agent, applyRun());
    const decide = (name: string, status: 'approved' | 'rejected') => repo.decide(tenantId, request.id, { status, userId: null, name, via: 'api', note: null, at: now.t });
    const results = await Promise.all([decide('alice', 'approved'), decide('bob', 'rejected'), decide('carol', 'approved')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await repo.get(tenantId, request.id, now.t);
    expect(stored!.decidedByName).toBe(results.find(Boolean)!.decidedByName);

    const late = await l.request(agent, applyRun());
    now.t = new Date(now.t.getTime() + 3_600_001);
    expect(await repo.decide(tenantId, late.id, { status: 'approved', userId: null, name: 'dave', via: 'api', note: null, at: now.t })).toBeNull();
    expect((await repo.get(tenantId, late.id, now.t))!.status).toBe('expired');
    // an expired request no longer blocks a new one for the same target
    const renewed = await l.request(agent, { ...applyRun(), targetId: late.targetId });
    expect(renewed.id).not.toBe(late.id);
  });
});
