import type { Sequelize, Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { defined, translateConstraints } from '../db/unique.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import { assertOutboundUrl, type OutboundPolicy } from '../outbound/outbound-guard.js';
import type { Run } from '../runs/run.model.js';
import type { Agent, AgentType } from './agent.model.js';
import type { AgentExecution, AgentRepository } from './agent.repository.js';
import type { AgentExecutor } from './agent-executor.js';
import { frequencyProblem } from './agent-schedule.js';
import { AGENT_CONFIG, AGENT_OUTBOUND_URLS, type CreateAgentInput, type UpdateAgentInput } from './agent.schemas.js';

type TargetKind = 'project' | 'environment' | 'instance';
/** Whether a row of the tenant with this id exists, per target kind. */
export type TargetExists = Record<TargetKind, (tenantId: string, id: string, transaction: Transaction) => Promise<boolean>>;

export interface ExecutionWithRuns extends AgentExecution {
  runs: Run[];
}

/**
 * The agents API's rules: who may see, change and trigger agents (agent:read / agent:trigger /
 * agent:manage), what a valid agent is (cron, zone, the type's config, targets in the tenant),
 * and where the schedule restarts (activation: slots before it never run late).
 */
export class AgentsService {
  constructor(
    private readonly deps: {
      sequelize: Sequelize; repo: AgentRepository; targets: TargetExists; audit: AuditLog; executor: AgentExecutor; clock: Clock;
      runsByIds: (actor: Actor, ids: string[]) => Promise<Run[]>;
      /** what the URLs an agent's config names may reach (ATLANTAS_ALLOW_PRIVATE_WEBHOOKS) */
      outbound: OutboundPolicy;
      /** schedules may run more than once a minute (ATLANTAS_AGENT_SECOND_SCHEDULES) */
      secondSchedules: boolean;
    },
  ) {}

  async list(actor: Actor): Promise<Agent[]> {
    requirePermission(actor, 'agent:read');
    return this.deps.repo.list(actor.tenantId);
  }

  async get(actor: Actor, id: string): Promise<Agent> {
    requirePermission(actor, 'agent:read');
    return this.find(actor, id);
  }

  async create(actor: Actor, input: CreateAgentInput): Promise<Agent> {
    requirePermission(actor, 'agent:manage');
    const config = checkConfig(input.agent_type, input.config);
    this.checkFrequency(input.schedule);
    await checkOutbound(input.agent_type, config, this.deps.outbound);
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.assertTargets(actor, input, transaction);
      const agent = await translateConstraints(`agent "${input.name}"`, () =>
        this.deps.repo.insert(
          {
            tenantId: actor.tenantId, name: input.name, agentType: input.agent_type, schedule: input.schedule, timezone: input.timezone,
            isActive: input.is_active, config, scheduleAnchor: this.deps.clock.now(),
            targetProjectId: input.target_project_id ?? null, targetEnvironmentId: input.target_environment_id ?? null, targetInstanceId: input.target_instance_id ?? null,
          },
          transaction,
        ),
      );
      await this.deps.audit.record(actor, 'agent.create', { type: 'agent', id: agent.id }, { name: agent.name, agent_type: agent.agentType, schedule: agent.schedule }, { transaction });
      return agent;
    });
  }

  async update(actor: Actor, id: string, input: UpdateAgentInput): Promise<Agent> {
    requirePermission(actor, 'agent:manage');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const current = await this.find(actor, id, transaction);
      const config = input.config === undefined ? undefined : checkConfig(current.agentType, input.config);
      if (input.schedule !== undefined) this.checkFrequency(input.schedule);
      if (config) await checkOutbound(current.agentType, config, this.deps.outbound);
      await this.assertTargets(actor, input, transaction);
      const rescheduled = input.schedule !== undefined || input.timezone !== undefined;
      const changes = defined({
        name: input.name, schedule: input.schedule, timezone: input.timezone, config, targetProjectId: input.target_project_id,
        targetEnvironmentId: input.target_environment_id, targetInstanceId: input.target_instance_id,
        // a new schedule starts from now: the old one's slots are not run late under the new one
        scheduleAnchor: rescheduled ? this.deps.clock.now() : undefined,
      });
      const agent = await translateConstraints(`agent "${input.name}"`, () => this.deps.repo.update(actor.tenantId, id, changes, transaction));
      if (!agent) throw notFound(id);
      await this.deps.audit.record(actor, 'agent.update', { type: 'agent', id }, { ...input }, { transaction });
      return agent;
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'agent:manage');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const agent = await this.find(actor, id, transaction);
      await this.deps.repo.delete(actor.tenantId, agent.id, transaction);
      await this.deps.audit.record(actor, 'agent.delete', { type: 'agent', id }, { name: agent.name }, { transaction });
    });
  }

  /** Runs on its schedule from now on: slots that passed while it was paused are not run late. */
  async activate(actor: Actor, id: string): Promise<Agent> {
    return this.setActive(actor, id, true);
  }

  async deactivate(actor: Actor, id: string): Promise<Agent> {
    return this.setActive(actor, id, false);
  }

  /** Runs the agent now, outside its schedule, on this replica; the execution is returned while it runs. */
  async trigger(actor: Actor, id: string): Promise<AgentExecution> {
    requirePermission(actor, 'agent:trigger');
    const agent = await this.find(actor, id);
    if (this.deps.executor.isBusy(agent.id)) throw new ConflictError(`agent ${agent.name} is running; trigger it again when its execution has finished`, { code: 'agent.running' });
    const execution = await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const started = await this.deps.repo.startManual(agent, this.deps.executor.replica, transaction);
      await this.deps.audit.record(actor, 'agent.trigger', { type: 'agent', id }, { execution_id: started.id }, { transaction });
      return started;
    });
    this.deps.executor.start(agent, execution);
    return execution;
  }

  /** Newest first, each with the runs it made (those the caller may read). */
  async executions(actor: Actor, id: string, limit = 50): Promise<ExecutionWithRuns[]> {
    requirePermission(actor, 'agent:read');
    const agent = await this.find(actor, id);
    const executions = await this.deps.repo.executions(actor.tenantId, agent.id, limit);
    const runIds = [...new Set(executions.flatMap((e) => e.runIds))];
    const runs = runIds.length ? await this.deps.runsByIds(actor, runIds) : [];
    return executions.map((e) => ({ ...e, runs: runs.filter((r) => e.runIds.includes(r.id)) }));
  }

  private async setActive(actor: Actor, id: string, isActive: boolean): Promise<Agent> {
    requirePermission(actor, 'agent:manage');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const current = await this.find(actor, id, transaction);
      const changes = isActive && !current.isActive ? { isActive, scheduleAnchor: this.deps.clock.now() } : { isActive };
      const agent = (await this.deps.repo.update(actor.tenantId, id, changes, transaction))!;
      await this.deps.audit.record(actor, isActive ? 'agent.activate' : 'agent.deactivate', { type: 'agent', id }, { name: agent.name }, { transaction });
      return agent;
    });
  }

  /** At most once a minute, unless the operator allows per-second schedules. */
  private checkFrequency(schedule: string): void {
    const problem = this.deps.secondSchedules ? null : frequencyProblem(schedule);
    if (problem) throw new InputError(`schedule: ${problem}`, { code: 'validation_error', issues: [{ path: 'schedule', message: problem }] });
  }

  private async find(actor: Actor, id: string, transaction?: Transaction): Promise<Agent> {
    const agent = await this.deps.repo.findById(actor.tenantId, id, transaction);
    if (!agent) throw notFound(id);
    return agent;
  }

  private async assertTargets(actor: Actor, input: Partial<Pick<CreateAgentInput, 'target_project_id' | 'target_environment_id' | 'target_instance_id'>>, transaction: Transaction): Promise<void> {
    const targets: [TargetKind, string | null | undefined][] = [
      ['project', input.target_project_id], ['environment', input.target_environment_id], ['instance', input.target_instance_id],
    ];
    for (const [kind, targetId] of targets) {
      if (targetId && !(await this.deps.targets[kind](actor.tenantId, targetId, transaction))) {
        throw new InputError(`target_${kind}_id: ${kind} ${targetId} not found in this tenant`, { code: 'validation_error' });
      }
    }
  }
}

/** The type's config, validated (strict: an unknown key is refused); stored as given, defaults applied when read. */
function checkConfig(type: AgentType, config: Record<string, unknown>): Record<string, unknown> {
  const result = AGENT_CONFIG[type].safeParse(config);
  if (result.success) return config;
  const issues = result.error.issues.map((i) => ({ path: ['config', ...i.path].join('.'), message: i.message }));
  throw new InputError(`invalid config for ${type}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { code: 'validation_error', issues });
}

/** The URLs the config names (defaults are the public registries) must pass the outbound guard: a 400 naming the key otherwise. */
async function checkOutbound(type: AgentType, config: Record<string, unknown>, policy: OutboundPolicy): Promise<void> {
  for (const key of AGENT_OUTBOUND_URLS[type] ?? []) {
    if (typeof config[key] === 'string') await assertOutboundUrl(config[key], policy, `config.${key}`);
  }
}

const notFound = (id: string) => new NotFoundError(`agent ${id} not found`);
