import { isHuman, requirePermission, type Actor } from '../actor.js';
import type { AgentsService } from '../agents/agents.service.js';
import type { ApprovalsService } from '../approvals/approvals.service.js';
import { repoFullNameOf } from '../commands/registered-projects.js';
import type { CommandService } from '../commands/command.service.js';
import { DomainError, NotAllowedError, NotFoundError } from '../errors.js';
import { takenBy } from '../locks/lock-holder.js';
import type { LocksService } from '../locks/locks.service.js';
import type { Notifier } from '../notifications/notification.js';
import type { Project } from '../projects/project.model.js';
import type { ProjectsService } from '../projects/projects.service.js';
import { UNSUCCESSFUL_STATUSES, type RunSource } from '../runs/run-status.js';
import type { RunsService } from '../runs/runs.service.js';
import type { RunbookStep } from './runbook.schemas.js';
import type { StepResult } from './runbook.js';

export interface StepDeps {
  commands: CommandService;
  runs: Pick<RunsService, 'get'>;
  projects: ProjectsService;
  locks: LocksService;
  approvals: ApprovalsService;
  agents: AgentsService;
  notifier: Notifier;
}

export interface StepContext {
  actor: Actor;
  executionId: string;
  incidentId: string | null;
  runbookName: string;
}

type Outcome = Omit<StepResult, 'index' | 'action'>;

/**
 * One runbook step, done through core as the caller (so every permission, lock and approval rule
 * applies as if they had asked directly), or — in a dry run — only described: the targets are
 * looked up and the permission checked, nothing is queued, locked, released or told.
 */
export class RunbookSteps {
  constructor(private readonly deps: StepDeps) {}

  async run(ctx: StepContext, step: RunbookStep, index: number, dryRun: boolean): Promise<StepResult> {
    try {
      const outcome = dryRun ? await this.describe(ctx, step) : await this.perform(ctx, step, index);
      return { index, action: step.action, ...outcome };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return { index, action: step.action, status: 'failed', message: `${err.code}: ${err.message}` };
    }
  }

  /**
   * Where a step that stopped an execution (waiting_approval) stands now, as the caller sees it:
   * `done` once the person it waited for acted (the apply run applied, the unlock approved and
   * carried out; a wait step is continued by the person resuming it), `failed` when that went the
   * other way (the run errored, was discarded or canceled; the unlock was denied or expired), or
   * still `waiting_approval`. Nothing is changed here.
   */
  async settle(ctx: StepContext, waiting: StepResult): Promise<StepResult> {
    const { actor } = ctx;
    const outcome = (status: StepResult['status'], message: string): StepResult => ({ ...waiting, status, message });
    if (waiting.runId) {
      const run = await this.deps.runs.get(actor, waiting.runId);
      if (run.status === 'applied') return outcome('done', `apply run ${run.id} applied`);
      if (run.status === 'planned_and_finished') return outcome('done', `apply run ${run.id} found nothing to apply`);
      if (UNSUCCESSFUL_STATUSES.includes(run.status)) return outcome('failed', `apply run ${run.id} ended ${run.status}, not applied`);
      return outcome('waiting_approval', `apply run ${run.id} is ${run.status}: it still waits for a person to approve the apply`);
    }
    if (waiting.approvalId) {
      const approval = await this.deps.approvals.get(actor, waiting.approvalId);
      if (approval.status === 'approved') return outcome('done', `a person approved releasing the lock (approval ${approval.id})`);
      if (approval.status === 'pending') return outcome('waiting_approval', `the lock release (approval ${approval.id}) still waits for a person`);
      return outcome('failed', `the lock release (approval ${approval.id}) was ${approval.status}`);
    }
    if (!isHuman(actor)) {
      throw new NotAllowedError(`step ${waiting.index + 1} waits for a person to continue; ${actor.name} is not a person and cannot`, { code: 'runbook.person_required' });
    }
    return outcome('done', `continued by ${actor.name}`);
  }

  private async describe(ctx: StepContext, step: RunbookStep): Promise<Outcome> {
    const { actor } = ctx;
    switch (step.action) {
      case 'plan': {
        requirePermission(actor, 'run:plan');
        const p = await this.deps.projects.require(actor, step.project);
        return { status: 'would_run', message: `would plan ${where(p)} (a speculative plan; nothing is applied)` };
      }
      case 'apply': {
        requirePermission(actor, 'run:apply');
        const p = await this.deps.projects.require(actor, step.project);
        return { status: 'would_run', message: `would plan ${where(p)} and wait, planned, for a person to approve the apply` };
      }
      case 'unlock': {
        requirePermission(actor, 'lock:manage');
        const p = await this.deps.projects.require(actor, step.project);
        const lock = await this.lockOf(actor, p);
        return lock
          ? { status: 'would_run', lockId: lock.id, message: `would release the lock on ${where(p)} held by ${lock.holderName}${actor.automation && !takenBy(lock, actor) ? ' (after a person approves: it is not yours)' : ''}` }
          : { status: 'would_run', message: `${where(p)} is not locked: nothing to release` };
      }
      case 'trigger_agent': {
        requirePermission(actor, 'agent:trigger');
        const agent = await this.agentNamed(actor, step.agent);
        return { status: 'would_run', message: `would trigger agent ${agent.name} (${agent.agentType}) now` };
      }
      case 'notify':
        return { status: 'would_run', message: `would notify the incident's channel: ${step.message}` };
      case 'wait_for_approval':
        return { status: 'would_run', message: `would stop and wait for a person to continue: ${step.message}` };
    }
  }

  private async perform(ctx: StepContext, step: RunbookStep, index: number): Promise<Outcome> {
    const { actor } = ctx;
    const source = sourceOf(actor);
    const title = `runbook ${ctx.runbookName}, step ${index + 1}`;
    switch (step.action) {
      case 'plan': {
        const run = await this.deps.commands.createRun(actor, { command: 'plan', project: step.project, title, extra_args: [] }, source);
        return { status: 'done', runId: run.id, message: `queued plan run ${run.id} of ${run.repoFullName}/${run.dir} (${run.workspace})` };
      }
      case 'apply': {
        // An apply run plans, then waits as `planned` until a person approves it (POST /api/v1/runs/{id}/approve, Slack, a PR comment).
        const run = await this.deps.commands.createRun(actor, { command: 'apply', project: step.project, title, extra_args: [] }, source);
        return { status: 'waiting_approval', runId: run.id, message: `queued apply run ${run.id}: it plans, then waits for a person to approve the apply` };
      }
      case 'unlock': {
        const p = await this.deps.projects.require(actor, step.project);
        const lock = await this.lockOf(actor, p);
        if (!lock) return { status: 'done', message: `${where(p)} was not locked: nothing released` };
        const outcome = await this.deps.approvals.unlock(actor, lock.id, `${title}${step.note ? `: ${step.note}` : ''}`);
        return outcome.status === 'unlocked'
          ? { status: 'done', lockId: lock.id, message: `released the lock on ${where(p)} held by ${lock.holderName}` }
          : { status: 'waiting_approval', lockId: lock.id, approvalId: outcome.approval.id, message: `asked a person to release the lock on ${where(p)}: ${outcome.why}` };
      }
      case 'trigger_agent': {
        const agent = await this.agentNamed(actor, step.agent);
        const execution = await this.deps.agents.trigger(actor, agent.id);
        return { status: 'done', agentExecutionId: execution.id, message: `triggered agent ${agent.name}` };
      }
      case 'notify':
        await this.deps.notifier.publish(
          { kind: 'runbook.notify', tenantId: actor.tenantId, projectId: null, executionId: ctx.executionId, incidentId: ctx.incidentId, step: index,
            runbookName: ctx.runbookName, message: step.message },
          { dedupeKey: `runbook:${ctx.executionId}:${index}` },
        );
        return { status: 'done', message: `notified: ${step.message}` };
      case 'wait_for_approval':
        return { status: 'waiting_approval', message: `waiting for a person to continue: ${step.message}` };
    }
  }

  private async lockOf(actor: Actor, p: Project) {
    const repo = repoFullNameOf(p.repositoryUrl);
    return (await this.deps.locks.list(actor, { repoFullName: repo })).find((l) => l.repoFullName.toLowerCase() === repo && l.dir === p.terraformPath && l.workspace === p.workspace) ?? null;
  }

  private async agentNamed(actor: Actor, ref: string) {
    const agents = await this.deps.agents.list(actor);
    const agent = agents.find((a) => a.id === ref || a.name === ref);
    if (!agent) throw new NotFoundError(`agent ${ref} not found`, { code: 'not_found' });
    return agent;
  }
}

function where(p: Project): string {
  return `project ${p.name} (${p.repositoryUrl ? repoFullNameOf(p.repositoryUrl) : '?'}/${p.terraformPath}, ${p.workspace})`;
}

function sourceOf(actor: Actor): RunSource {
  return actor.via === 'mcp' ? 'mcp' : actor.via === 'slack' ? 'slack' : 'api';
}
