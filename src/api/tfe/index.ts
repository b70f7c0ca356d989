import type Router from '@koa/router';
import type { Core } from '../../core/index.js';
import type { AppState } from '../types.js';
import { tfeAgentPoolsRouter } from './agent-pools.router.js';
import { tfeDiscoveryRouter } from './discovery.router.js';
import { tfeIdentityRouter } from './identity.router.js';
import { tfeListenersRouter } from './listeners.router.js';
import { tfeNotificationConfigurationsRouter } from './notification-configurations.router.js';
import { OAUTH_RAW_BODY, tfeOAuthRouter } from './oauth.router.js';
import { tfeProjectsRouter } from './projects.router.js';
import { TFE_UPLOAD_RAW_BODY, tfeStateVersionsRouter } from './state-versions.router.js';
import type { TfeOptions } from './tfe-context.js';
import { tfeVariablesRouter } from './variables.router.js';
import { tfeWorkspacesRouter } from './workspaces.router.js';
import { TFE_CV_UPLOAD_RAW_BODY, tfeConfigurationVersionsRouter } from './configuration-versions.router.js';
import { tfeRunTriggersRouter } from './run-triggers.router.js';
import { tfeRunsRouter } from './runs.router.js';
import { DEFAULT_ARCHIVE_LIMITS } from '../../core/terraform/config-archive.js';

export { tfeHeaders } from './discovery.router.js';

/** Paths whose bodies the TFE routers read raw: state and configuration uploads, and the login form posts. */
export const TFE_RAW_BODY_PATHS: readonly RegExp[] = [TFE_UPLOAD_RAW_BODY, TFE_CV_UPLOAD_RAW_BODY, OAUTH_RAW_BODY];

/** The TFE V2 surface (issue 15): discovery, identity, login, workspaces, state versions, remote runs, variables, agent pools and listeners, projects, notifications. */
export function tfeRouters(core: Core, options: TfeOptions & { bodyLimit: number }): Router<AppState>[] {
  return [tfeDiscoveryRouter(options), tfeOAuthRouter(core, options), tfeIdentityRouter(core), tfeWorkspacesRouter(core), tfeStateVersionsRouter(core, options),
    tfeConfigurationVersionsRouter(core, { ...options, archiveBodyLimit: DEFAULT_ARCHIVE_LIMITS.maxCompressedBytes }), tfeRunsRouter(core, options), tfeRunTriggersRouter(core),
    tfeVariablesRouter(core), tfeAgentPoolsRouter(core), tfeListenersRouter(core), tfeProjectsRouter(core), tfeNotificationConfigurationsRouter(core)];
}
