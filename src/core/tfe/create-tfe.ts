import type { Sequelize } from 'sequelize';
import type { AuditLog } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import type { TokensService } from '../auth/tokens.service.js';
import type { Clock } from '../clock.js';
import type { Encryptor } from '../secrets/encryption.js';
import { rotateInBatches, type RotationRegistry } from '../secrets/rotation.js';
import type { DriftService } from '../drift/drift.service.js';
import type { ProjectsService } from '../projects/projects.service.js';
import { ListenerCa } from '../runners/listener-ca.js';
import { ListenerCaRepository } from '../runners/listener-ca.repository.js';
import { ListenersService } from '../runners/listeners.service.js';
import { RunnerRepository } from '../runners/runner.repository.js';
import type { RunnersService } from '../runners/runners.service.js';
import type { StateService } from '../state/state.service.js';
import type { Logger } from '../../logger.js';
import type { ApprovalsService } from '../approvals/approvals.service.js';
import type { RunEvents } from '../runs/run-events.js';
import type { RunLogs } from '../runs/run-logs.js';
import type { RunRepository } from '../runs/run.repository.js';
import type { RunsService } from '../runs/runs.service.js';
import { TfeConfigurationVersionRepository } from './tfe-configuration-version.repository.js';
import { TfeRunRepository, TfeRunTriggerRepository } from './tfe-run.repository.js';
import { TfeRunsService } from './tfe-runs.service.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import { TfeAgentPoolsService } from './tfe-agent-pools.service.js';
import { TfeProjectsService } from './tfe-projects.service.js';
import { OAuthCodeRepository } from './oauth-code.repository.js';
import { TfeLoginService } from './tfe-login.service.js';
import { TfeStateService } from './tfe-state.service.js';
import { TfeStateUploadRepository } from './tfe-state-upload.repository.js';
import { TfeRunVariables } from './tfe-run-variables.js';
import { TfeVariableRepository } from './tfe-variable.repository.js';
import { TfeVariablesService } from './tfe-variables.service.js';
import { TfeVarsetRepository } from './tfe-varset.repository.js';
import { TfeVarsetsService } from './tfe-varsets.service.js';
import { TfeWorkspaceRepository } from './tfe-workspace.repository.js';
import { TfeWorkspacesService } from './tfe-workspaces.service.js';

/** The TFE V2 surface's services (what `core.tfe` holds). */
export interface TfeServices {
  workspaces: TfeWorkspacesService;
  state: TfeStateService;
  login: TfeLoginService;
  agentPools: TfeAgentPoolsService;
  listeners: ListenersService;
  projects: TfeProjectsService;
  /** signs listener certificates; its sealed key is one of rotate-key's stores */
  listenerCa: ListenerCa;
  variables: TfeVariablesService;
  varsets: TfeVarsetsService;
  /** not for routers: the job builder's provider of a run's resolved TFE variables (run-job.ts `cloudEnv`) */
  runVariables: TfeRunVariables;
  runs: TfeRunsService;
}

export function createTfe(deps: {
  sequelize: Sequelize; tenants: TenantsService; projects: ProjectsService; state: StateService; drift: DriftService;
  auth: AuthService; tokens: TokensService; audit: AuditLog; clock: Clock; encryptor: Encryptor; rotation: RotationRegistry; log: Logger;
  runners: RunnersService; runnerHeartbeatMs: number;
  runs: RunsService; runRepo: RunRepository; logs: RunLogs; events: RunEvents; approvals: ApprovalsService;
}): TfeServices {
  const { sequelize, audit, clock, encryptor, runners } = deps;
  const variables = new TfeVariableRepository({ sequelize, encryptor });
  deps.rotation.register({ name: 'tfe variables', rotate: (enc, _log, o) => rotateInBatches(sequelize, o?.batchSize ?? 200, (t, limit) => variables.resealBatch(enc, limit, t)) });
  const workspaceRepo = new TfeWorkspaceRepository(sequelize);
  const varsetRepo = new TfeVarsetRepository(sequelize);
  const workspaces = new TfeWorkspacesService({
    sequelize, repo: workspaceRepo, tenants: deps.tenants, projects: deps.projects, state: deps.state, drift: deps.drift, audit, runners,
  });
  const variableService = new TfeVariablesService({ sequelize, repo: variables, workspaces, audit });
  const listenerCa = new ListenerCa({ repo: new ListenerCaRepository({ sequelize }), encryptor });
  const configurationVersions = new TfeConfigurationVersionRepository(sequelize);
  // Uploaded configurations are sealed like state: `atlantas rotate-key` re-seals them.
  deps.rotation.register({ name: 'tfe configuration versions', rotate: (enc, _log, o) => rotateInBatches(sequelize, o?.batchSize ?? 50, (t, limit) => configurationVersions.resealBatch(enc, limit, t)) });
  const runs = new TfeRunsService({
    sequelize, workspaces, configurationVersions, tfeRuns: new TfeRunRepository(sequelize), triggers: new TfeRunTriggerRepository(sequelize),
    runs: deps.runs, runRepo: deps.runRepo, logs: deps.logs, events: deps.events, approvals: deps.approvals, encryptor: deps.encryptor,
    audit, clock, log: deps.log.child({ svc: 'tfe-runs' }),
  });
  return {
    runs,
    workspaces,
    agentPools: new TfeAgentPoolsService({ runners, workspaces, tenants: deps.tenants }),
    listeners: new ListenersService({ runners, repo: new RunnerRepository({ sequelize }), ca: listenerCa, heartbeatMs: deps.runnerHeartbeatMs }),
    listenerCa,
    projects: new TfeProjectsService({ projects: deps.projects, workspaces, repo: workspaceRepo, tenants: deps.tenants }),
    state: new TfeStateService({ workspaces, state: deps.state, uploads: new TfeStateUploadRepository(sequelize), clock }),
    login: new TfeLoginService({ auth: deps.auth, tokens: deps.tokens, codes: new OAuthCodeRepository(sequelize), audit, clock }),
    variables: variableService,
    varsets: new TfeVarsetsService({ sequelize, repo: varsetRepo, variables: variableService, workspaces, tenants: deps.tenants, audit }),
    runVariables: new TfeRunVariables({ workspaces: workspaceRepo, varsets: varsetRepo, variables }),
  };
}
