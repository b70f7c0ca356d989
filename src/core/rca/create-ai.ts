import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { AgentsService } from '../agents/agents.service.js';
import { OpenAiCompatibleClient, type LlmClient, type LlmSettings } from '../ai/llm-client.js';
import type { ApprovalsService } from '../approvals/approvals.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { CommandService } from '../commands/command.service.js';
import type { DriftRepository } from '../drift/drift.repository.js';
import type { LocksService } from '../locks/locks.service.js';
import type { Notifier } from '../notifications/notification.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { RunRepository } from '../runs/run.repository.js';
import type { RunsService } from '../runs/runs.service.js';
import { RunbookDrafter } from '../runbooks/runbook-drafter.js';
import { RunbookSteps } from '../runbooks/runbook-steps.js';
import { RunbookRepository } from '../runbooks/runbook.repository.js';
import { RunbooksService } from '../runbooks/runbooks.service.js';
import { CopilotService } from './copilot.service.js';
import { EvidenceCollector } from './evidence-collector.js';
import { EvidenceRepository } from './evidence.repository.js';
import type { IncidentPort } from './incident-port.js';
import { RcaService } from './rca.service.js';

export interface AiOptions {
  /** ATLANTAS_LLM_*: the model that writes narratives; none → deterministic answers only */
  llm?: LlmSettings;
  /** ATLANTAS_RCA_WINDOW: how far before an incident RCA looks (default 24h) */
  rcaWindowMs?: number;
}

interface AiDeps {
  sequelize: Sequelize;
  runs: RunRepository;
  drift: DriftRepository;
  incidents: IncidentPort;
  projects: ProjectsService;
  commands: CommandService;
  /** reads a run as the caller (a resumed runbook checks how its apply step ended) */
  runReader: Pick<RunsService, 'get'>;
  locks: LocksService;
  approvals: ApprovalsService;
  agents: AgentsService;
  notifier: Notifier;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  options?: AiOptions;
  /** tests and other wiring may give a client directly */
  llm?: LlmClient;
}

/** RCA, the copilot and runbooks, assembled (one place, so core/index.ts stays a list). */
export function createAi(d: AiDeps) {
  const llm = d.llm ?? (d.options?.llm ? new OpenAiCompatibleClient(d.options.llm) : undefined);
  const repo = new EvidenceRepository({ sequelize: d.sequelize });
  const collector = new EvidenceCollector({ repo, runs: d.runs, drift: d.drift });
  const log = d.log.child({ svc: 'ai' });
  const rca = new RcaService({ incidents: d.incidents, projects: d.projects, collector, llm, windowMs: d.options?.rcaWindowMs ?? 86_400_000, clock: d.clock, log });
  const copilot = new CopilotService({ repo, collector, drift: d.drift, incidents: d.incidents, projects: d.projects, rca, llm, clock: d.clock, log });
  const steps = new RunbookSteps({ commands: d.commands, runs: d.runReader, projects: d.projects, locks: d.locks, approvals: d.approvals, agents: d.agents, notifier: d.notifier });
  const runbooks = new RunbooksService({ sequelize: d.sequelize, repo: new RunbookRepository({ sequelize: d.sequelize }), steps, incidents: d.incidents, audit: d.audit });
  const runbookDrafter = new RunbookDrafter({ runbooks, incidents: d.incidents, rca, projects: d.projects, agents: d.agents, llm, log });
  return { rca, copilot, runbooks, runbookDrafter };
}
