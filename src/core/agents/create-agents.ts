import { hostname } from 'node:os';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { EnvironmentRepository } from '../environments/environment.repository.js';
import type { InstanceRepository } from '../instances/instance.repository.js';
import type { LocksService } from '../locks/locks.service.js';
import type { Notifier } from '../notifications/notification.js';
import type { OutboundPolicy } from '../outbound/outbound-guard.js';
import type { ProjectRepository } from '../projects/project.repository.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { Run } from '../runs/run.model.js';
import type { StateService } from '../state/state.service.js';
import type { AgentRepository } from './agent.repository.js';
import { AgentDispatcher } from './agent-dispatcher.js';
import { AgentExecutor, type AgentBehaviour } from './agent-executor.js';
import { AgentsService } from './agents.service.js';
import { StateWatcherAgent } from './state-watcher.agent.js';
import { unavailableAgent } from './unavailable.agent.js';

export interface AgentsDeps {
  sequelize: Sequelize;
  repo: AgentRepository;
  audit: AuditLog;
  notifier: Notifier;
  /** the clock schedules and agents read (tests advance it) */
  clock: Clock;
  log: Logger;
  projects: ProjectsService;
  projectRepo: ProjectRepository;
  environmentRepo: EnvironmentRepository;
  instanceRepo: InstanceRepository;
  locks: LocksService;
  state: StateService;
  runsByIds: (actor: Actor, ids: string[]) => Promise<Run[]>;
  outbound: OutboundPolicy;
  /** ATLANTAS_AGENT_SECOND_SCHEDULES */
  secondSchedules: boolean;
  /** agent types built elsewhere (they need the VCS host or working copies) */
  behaviours?: Partial<Record<'upgrade_bot' | 'codebase_monitor' | 'drift_monitor' | 'apply_bot', AgentBehaviour>>;
}

/** The agents of issue 12 wired together: the service front ends call, and the dispatcher the scheduler calls. */
export function createAgents(deps: AgentsDeps) {
  const { repo } = deps;
  const executor = new AgentExecutor({
    repo, notifier: deps.notifier, clock: deps.clock, log: deps.log.child({ svc: 'agents' }), replica: `${hostname()}/${process.pid}`,
    behaviours: {
      state_watcher: new StateWatcherAgent({ locks: deps.locks, state: deps.state, projects: deps.projects }),
      drift_monitor: deps.behaviours?.drift_monitor ?? unavailableAgent('drift checks (src/core/drift) are not on this server yet'),
      apply_bot: deps.behaviours?.apply_bot ?? unavailableAgent('the approval gate (src/core/approvals) is not on this server yet'),
      upgrade_bot: deps.behaviours?.upgrade_bot ?? unavailableAgent('the upgrade bot needs a GitHub host (ATLANTAS_GH_TOKEN or App credentials)'),
      codebase_monitor: deps.behaviours?.codebase_monitor ?? unavailableAgent('the codebase monitor needs a repository source'),
    },
  });
  const service = new AgentsService({
    sequelize: deps.sequelize, repo, audit: deps.audit, executor, clock: deps.clock, runsByIds: deps.runsByIds, outbound: deps.outbound, secondSchedules: deps.secondSchedules,
    targets: {
      project: (t, id, tx) => deps.projectRepo.exists(t, id, tx),
      environment: (t, id, tx) => deps.environmentRepo.exists(t, id, tx),
      instance: (t, id, tx) => deps.instanceRepo.exists(t, id, tx),
    },
  });
  const dispatcher = new AgentDispatcher({ repo, executor, log: deps.log.child({ svc: 'scheduler' }) });
  return { service, dispatcher, executor, repo };
}
