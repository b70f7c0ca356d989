import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { NotFoundError, PreconditionFailedError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { IncidentPort } from '../rca/incident-port.js';
import type { RunbookSteps, StepContext } from './runbook-steps.js';
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
    const { results, stoppedAt } = await this.runSteps(ctx, runbook.steps, 0, input.dry_run);
    const status: ExecutionStatus = input.dry_run ? 'dry_run' : statusAfter(stoppedAt);
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

  /**
   * Goes on with an execution that stopped at a step waiting for a person, once that person acted:
   * the stopped step is settled (its apply applied, its unlock approved; a wait step is continued
   * by the person resuming), then the later steps run as the resuming caller, as `execute` runs
   * them. Still waiting → 409 with what it waits for; the step's run or approval gone the other
   * way → the execution fails there. Two resumes at once: one goes on, the other gets 409.
   */
  async resume(actor: Actor, id: string, executionId: string): Promise<RunbookExecution> {
    requirePermission(actor, 'incidents:write');
    const runbook = await this.require(actor, id);
    const execution = isUuid(executionId) ? await this.deps.repo.execution(actor.tenantId, runbook.id, executionId) : null;
    if (!execution) throw new NotFoundError(`execution ${executionId} of runbook ${id} not found`, { code: 'not_found' });
    if (execution.status !== 'waiting_approval') {
      throw new PreconditionFailedError(`execution ${executionId} is ${execution.status}; only one waiting for a person can be resumed`, { code: 'runbook.not_waiting' });
    }
    if (execution.runbookVersion !== runbook.version || runbook.status !== 'published') {
      throw new PreconditionFailedError(`runbook ${runbook.name} changed since this execution (v${execution.runbookVersion}, now v${runbook.version} ${runbook.status}); execute it again instead`, { code: 'runbook.changed' });
    }
    const waitingIndex = execution.steps.findIndex((s) => s.status === 'waiting_approval');
    if (waitingIndex < 0) throw new PreconditionFailedError(`execution ${executionId} has no step waiting for a person`, { code: 'runbook.not_waiting' });
    const ctx = { actor, executionId: execution.id, incidentId: execution.incidentId, runbookName: runbook.name };
    const settled = await this.deps.steps.settle(ctx, execution.steps[waitingIndex]);
    if (settled.status === 'waiting_approval') throw new PreconditionFailedError(`execution ${executionId} still waits at step ${waitingIndex + 1}: ${settled.message}`, { code: 'runbook.still_waiting' });
    if (!(await this.deps.repo.claimExecution(actor.tenantId, execution.id))) {
      throw new PreconditionFailedError(`execution ${executionId} is being resumed by someone else`, { code: 'runbook.not_waiting' });
    }
    const done = execution.steps.slice(0, waitingIndex);
    let rest: StepsRun;
    try {
      rest = await this.runSteps(ctx, runbook.steps, waitingIndex + 1, false, settled.status === 'failed' ? settled : null);
    } catch (err) {
      // not left `resuming` for ever: what ran before the failure is recorded as its own runs
      await this.deps.repo.finishExecution(execution.id, { status: 'failed', steps: [...done, settled], finishedAt: new Date() });
      throw err;
    }
    const steps = [...done, settled, ...rest.results];
    const status = statusAfter(rest.stoppedAt);
    const resumed = await this.deps.repo.finishExecution(execution.id, { status, steps, finishedAt: status === 'waiting_approval' ? null : new Date() });
    await this.deps.audit.record(actor, 'runbook.resume', { type: 'runbook', id: runbook.id }, { execution_id: execution.id, status, resumed_at_step: waitingIndex + 1 });
    if (execution.incidentId) {
      await this.deps.incidents.addTimeline(actor, execution.incidentId, {
        kind: 'runbook', link: { kind: 'runbook', id: runbook.id },
        message: `resumed runbook ${runbook.name} (v${runbook.version}) at step ${waitingIndex + 1} (${settled.message}): ${status}${rest.stoppedAt ? ` at step ${rest.stoppedAt.index + 1} (${rest.stoppedAt.message})` : ''}`,
        details: { execution_id: execution.id, status, steps: steps.map((r) => ({ action: r.action, status: r.status, run_id: r.runId ?? null })) },
      });
    }
    return resumed;
  }

  /**
   * Steps from `from` on, in order, stopping at the first that waits for a person or fails; the
   * rest skipped (all of them when an earlier step, `stoppedBefore`, already stopped the execution).
   */
  private async runSteps(ctx: StepContext, steps: RunbookStep[], from: number, dryRun: boolean, stoppedBefore: StepResult | null = null): Promise<StepsRun> {
    const results: StepResult[] = [];
    let stoppedAt = stoppedBefore;
    for (let index = from; index < steps.length; index++) {
      const step = steps[index];
      if (stoppedAt) {
        results.push(skipped(step, index, stoppedAt));
        continue;
      }
      const result = await this.deps.steps.run(ctx, step, index, dryRun);
      results.push(result);
      if (result.status === 'waiting_approval' || result.status === 'failed') stoppedAt = result;
    }
    return { results, stoppedAt };
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

/** What running steps in order came to: each step's result, and the one that stopped the rest (waiting or failed). */
interface StepsRun {
  results: StepResult[];
  stoppedAt: StepResult | null;
}

function statusAfter(stoppedAt: StepResult | null): ExecutionStatus {
  return !stoppedAt ? 'completed' : stoppedAt.status === 'failed' ? 'failed' : 'waiting_approval';
}

function skipped(step: RunbookStep, index: number, at: StepResult): StepResult {
  return { index, action: step.action, status: 'skipped', message: `not started: the execution stopped at step ${at.index + 1} (${at.status})` };
}

