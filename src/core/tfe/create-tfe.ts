import type { Sequelize } from 'sequelize';
import type { AuditLog } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import type { TokensService } from '../auth/tokens.service.js';
import type { Clock } from '../clock.js';
import type { DriftService } from '../drift/drift.service.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { StateService } from '../state/state.service.js';
import type { Logger } from '../../logger.js';
import type { ApprovalsService } from '../approvals/approvals.service.js';
import type { RunEvents } from '../runs/run-events.js';
import type { RunLogs } from '../runs/run-logs.js';
import type { RunRepository } from '../runs/run.repository.js';
import type { RunsService } from '../runs/runs.service.js';
import type { Encryptor } from '../secrets/encryption.js';
import type { RotationRegistry } from '../secrets/rotation.js';
import { rotateInBatches } from '../secrets/rotation.js';
import { TfeConfigurationVersionRepository } from './tfe-configuration-version.repository.js';
import { TfeRunRepository, TfeRunTriggerRepository } from './tfe-run.repository.js';
import { TfeRunsService } from './tfe-runs.service.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import { OAuthCodeRepository } from './oauth-code.repository.js';
import { TfeLoginService } from './tfe-login.service.js';
import { TfeStateService } from './tfe-state.service.js';
import { TfeStateUploadRepository } from './tfe-state-upload.repository.js';
import { TfeWorkspaceRepository } from './tfe-workspace.repository.js';
import { TfeWorkspacesService } from './tfe-workspaces.service.js';

/** The TFE V2 surface's services (what `core.tfe` holds). */
export interface TfeServices {
  workspaces: TfeWorkspacesService;
  state: TfeStateService;
  login: TfeLoginService;
  runs: TfeRunsService;
}

export function createTfe(deps: {
  sequelize: Sequelize; tenants: TenantsService; projects: ProjectsService; state: StateService; drift: DriftService;
  auth: AuthService; tokens: TokensService; audit: AuditLog; clock: Clock;
  runs: RunsService; runRepo: RunRepository; logs: RunLogs; events: RunEvents; approvals: ApprovalsService;
  encryptor: Encryptor; rotation: RotationRegistry; log: Logger;
}): TfeServices {
  const { sequelize, audit, clock } = deps;
  const workspaces = new TfeWorkspacesService({
    sequelize, repo: new TfeWorkspaceRepository(sequelize), tenants: deps.tenants, projects: deps.projects, state: deps.state, drift: deps.drift, audit,
  });
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
    state: new TfeStateService({ workspaces, state: deps.state, uploads: new TfeStateUploadRepository(sequelize), clock }),
    login: new TfeLoginService({ auth: deps.auth, tokens: deps.tokens, codes: new OAuthCodeRepository(sequelize), audit, clock }),
  };
}
