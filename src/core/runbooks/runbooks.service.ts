import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { NotFoundError, PreconditionFailedError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { IncidentPort } from '../rca/incident-port.js';
import type { RunbookSteps } from './runbook-steps.js';
import type { CreateRunbookInput, ExecuteRunbookInput, ListRunbooksQuery, RunbookStep, UpdateRunbookInput } from './runbook.schemas.js';
import type { RunbookRepository } from './runbook.repository.js';
import type { ExecutionStatus, Runbook, RunbookExecution, StepResult } from './runbook.js';

interface Deps {
  sequelize: Sequelize;
  repo: RunbookRepository;
  steps: RunbookSteps;
  incidents: IncidentPort;
  audit: AuditLog;
}

/**
 * Runbooks: drafted (by hand or generated), published, executed. Reading needs incidents:read,
 * writing incidents:write; each step of an execution needs what the step itself needs, checked
 * by the core service the step calls, as the caller. A dry run writes nothing but its own record.
 */
export class RunbooksService {
  constructor(private readonly deps: Deps) {}

  async list(actor: Actor, q: ListRunbooksQuery): Promise<{ items: Runbook[]; total: number; limit: number; offset: number }> {
    requirePermission(actor, 'incidents:read');
    return { ...(await this.deps.repo.list(actor.tenantId, q)), limit: q.limit, offset: q.offset };
  }

  async get(actor: Actor, id: string): Promise<Runbook> {
    requirePermission(actor, 'incidents:read');
    return this.require(actor, id);
  }

  async create(actor: Actor, input: CreateRunbookInput, origin: { generatedBy?: string; incidentId?: string | null } = {}): Promise<Runbook> {
    requirePermission(actor, 'incidents:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const runbook = await this.deps.repo.insert({
        tenantId: actor.tenantId, name: input.name, description: input.description, steps: input.steps,
        generatedBy: origin.generatedBy ?? 'manual', incidentId: origin.incidentId ?? null, createdBy: actor.name,
      }, transaction);
      await this.deps.audit.record(actor, 'runbook.create', { type: 'runbook', id: runbook.id }, { name: runbook.name, generated_by: runbook.generatedBy }, { transaction });
      return runbook;
    });
  }

  /** A change to a published runbook makes it a draft again: what runs is always what someone published. */
  async update(actor: Actor, id: string, input: UpdateRunbookInput): Promise<Runbook> {
    requirePermission(actor, 'incidents:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const current = await this.require(actor, id, transaction, true);
      if (current.status === 'archived') throw new PreconditionFailedError(`runbook ${id} is archived and cannot change`, { code: 'runbook.archived' });
      const updated = await this.deps.repo.update(id, { ...input, status: 'draft', updatedBy: actor.name }, transaction);
      await this.deps.audit.record(actor, 'runbook.update', { type: 'runbook', id }, { fields: Object.keys(input), version: updated.version }, { transaction });
      return updated;
    });
  }

  async publish(actor: Actor, id: string): Promise<Runbook> {
    requirePermission(actor, 'incidents:write');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const current = await this.require(actor, id, transaction, true);
      if (current.status !== 'draft') throw new PreconditionFailedError(`runbook ${id} is ${current.status}; only a draft can be published`, { code: 'runbook.not_draft' });
      const published = await this.deps.repo.update(id, { status: 'published', updatedBy: actor.name, publishedBy: actor.name }, transaction);
      await this.deps.audit.record(actor, 'runbook.publish', { type: 'runbook', id }, { version: published.version }, { transaction });
      return published;
    });
  }

  /**
   * Runs the steps in order as the caller, stopping at the first that waits for a person (an apply,
   * an unlock asked of someone, a wait step) or fails; the rest are listed as skipped. A dry run
   * only describes each step and may run any runbook; a real run needs a published one.
   */
  async execute(actor: Actor, id: string, input: ExecuteRunbookInput): Promise<RunbookExecution> {
    requirePermission(actor, 'incidents:read');
    const runbook = await this.require(actor, id);
    if (!input.dry_run && runbook.status !== 'published') {
      throw new PreconditionFailedError(`runbook ${runbook.name} is ${runbook.status}; publish it before executing it (a dry run works on drafts)`, { code: 'runbook.not_published' });
    }
    const incident = input.incident_id ? await this.deps.incidents.get(actor, input.incident_id) : null;
    if (incident) requirePermission(actor, 'incidents:write');
    const executionId = randomUUID();
    const ctx = { actor, executionId, incidentId: incident?.id ?? null, runbookName: runbook.name };
    const results: StepResult[] = [];
    let stoppedAt: StepResult | null = null;
    for (const [index, step] of runbook.steps.entries()) {
      if (stoppedAt) {
        results.push(skipped(step, index, stoppedAt));
        continue;
      }
      const result = await this.deps.steps.run(ctx, step, index, input.dry_run);
      results.push(result);
      if (result.status === 'waiting_approval' || result.status === 'failed') stoppedAt = result;
    }
    const status: ExecutionStatus = input.dry_run ? 'dry_run' : !stoppedAt ? 'completed' : stoppedAt.status === 'failed' ? 'failed' : 'waiting_approval';
    const execution = await this.deps.repo.insertExecution({
      id: executionId, tenantId: actor.tenantId, runbookId: runbook.id, runbookVersion: runbook.version, incidentId: incident?.id ?? null, dryRun: input.dry_run,
      status, steps: results, actorKind: actor.kind, actorName: actor.name, via: actor.via, finishedAt: status === 'waiting_approval' ? null : new Date(),
    });
    if (!input.dry_run) await this.deps.audit.record(actor, 'runbook.execute', { type: 'runbook', id: runbook.id }, { execution_id: execution.id, status, incident_id: incident?.id ?? null });
    if (incident) {
      await this.deps.incidents.addTimeline(actor, incident.id, {
        kind: 'runbook', link: { kind: 'runbook', id: runbook.id },
        message: `${input.dry_run ? 'dry run of' : 'executed'} runbook ${runbook.name} (v${runbook.version}): ${status}${stoppedAt ? ` at step ${stoppedAt.index + 1} (${stoppedAt.message})` : ''}`,
        details: { execution_id: execution.id, dry_run: input.dry_run, status, steps: results.map((r) => ({ action: r.action, status: r.status, run_id: r.runId ?? null })) },
      });
    }
    return execution;
  }

  async executions(actor: Actor, id: string, limit = 50): Promise<RunbookExecution[]> {
    const runbook = await this.get(actor, id);
    return this.deps.repo.executions(actor.tenantId, runbook.id, limit);
  }

  private async require(actor: Actor, id: string, transaction?: Parameters<RunbookRepository['get']>[2], forUpdate = false): Promise<Runbook> {
    const runbook = isUuid(id) ? await this.deps.repo.get(actor.tenantId, id, transaction, forUpdate) : null;
    if (!runbook) throw new NotFoundError(`runbook ${id} not found`, { code: 'not_found' });
    return runbook;
  }
}

function skipped(step: RunbookStep, index: number, at: StepResult): StepResult {
  return { index, action: step.action, status: 'skipped', message: `not started: the execution stopped at step ${at.index + 1} (${at.status})` };
}

