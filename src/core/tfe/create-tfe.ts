import type { Sequelize } from 'sequelize';
import type { AuditLog } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import type { TokensService } from '../auth/tokens.service.js';
import type { Clock } from '../clock.js';
import type { DriftService } from '../drift/drift.service.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { StateService } from '../state/state.service.js';
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
}

export function createTfe(deps: {
  sequelize: Sequelize; tenants: TenantsService; projects: ProjectsService; state: StateService; drift: DriftService;
  auth: AuthService; tokens: TokensService; audit: AuditLog; clock: Clock;
}): TfeServices {
  const { sequelize, audit, clock } = deps;
  const workspaces = new TfeWorkspacesService({
    sequelize, repo: new TfeWorkspaceRepository(sequelize), tenants: deps.tenants, projects: deps.projects, state: deps.state, drift: deps.drift, audit,
  });
  return {
    workspaces,
    state: new TfeStateService({ workspaces, state: deps.state, uploads: new TfeStateUploadRepository(sequelize), clock }),
    login: new TfeLoginService({ auth: deps.auth, tokens: deps.tokens, codes: new OAuthCodeRepository(sequelize), audit, clock }),
  };
}
