import type { Sequelize } from 'sequelize';
import type { Logger } from '../src/logger.js';
import type { Encryptor } from '../src/core/secrets/encryption.js';
import * as m001 from './2026-11-22T001-create-tenants-users-tokens.js';
import * as m002 from './2026-11-22T002-create-audit-log.js';
import * as m003 from './2026-11-22T003-create-instances-environments-projects.js';
import * as m004 from './2026-11-22T004-create-runs.js';
import * as mStates from './2026-11-23T001-create-states.js';
import * as m010 from './2026-11-23T010-create-run-logs-plans-locks.js';
import * as m020 from './2026-11-23T020-create-pr-batches-deliveries.js';
import * as mStateNames from './2026-12-01T010-unambiguous-state-names.js';
import * as m1203T020 from './2026-12-03T020-runner-pools.js';
import * as m1203T060 from './2026-12-03T060-kept-plans-notifications.js';
import * as m1203T070 from './2026-12-03T070-approvals-and-mcp-tokens.js';
import * as m1203T080 from './2026-12-03T080-drift.js';
import * as mSealRunOutput from './2026-12-01T030-seal-run-output.js';
import * as m1201T040 from './2026-12-01T040-tenant-repos-lock-logins-comment-claims.js';
import * as m1202T010a from './2026-12-02T010-1-login-failures.js';
import * as m1202T010b from './2026-12-02T010-2-sessions.js';
import * as m1202T010c from './2026-12-02T010-3-token-scopes.js';
import * as m1202T020 from './2026-12-02T020-runs-keyset-index.js';
import * as m1203T065 from './2026-12-03T065-slack-workspaces.js';
import * as m1203T085 from './2026-12-03T085-agents.js';
import * as m1204T090 from './2026-12-04T090-cmdb.js';
import * as m1204T091 from './2026-12-04T091-itsm.js';
import * as m1204T095 from './2026-12-04T095-lock-holder-keys.js';
import * as m1204T096 from './2026-12-04T096-run-runner-pool.js';
import * as m1204T050 from './2026-12-04T050-github-apps.js';
import * as m1204T070 from './2026-12-04T070-tfe-workspaces.js';
import * as m1204T100 from './2026-12-04T100-tfe-runs.js';
import * as m1204T130 from './2026-12-04T130-tfe-notification-configurations.js';
import * as m1204T020 from './2026-12-04T020-incidents.js';
import * as m1204T040 from './2026-12-04T040-cloud-credentials.js';
import * as m1204T060 from './2026-12-04T060-sso-providers.js';
import * as m1204T010 from './2026-12-04T010-slack-threads.js';
import * as m1204T030 from './2026-12-04T030-runbooks.js';
import * as m1204T110 from './2026-12-04T110-tfe-variables.js';
import * as m1204T120 from './2026-12-04T120-agent-listeners.js';

/**
 * What a migration may use besides SQL. Migrations run at start after the key is loaded (and by
 * `atlantas migrate`, which loads it too), so one that must encrypt existing rows gets it here.
 */
export interface MigrationContext {
  encryptor?: Encryptor;
  log?: Logger;
}

export interface Migration {
  name: string;
  up(sequelize: Sequelize, context: MigrationContext): Promise<void>;
  down(sequelize: Sequelize, context: MigrationContext): Promise<void>;
}

/** Every migration, in order. Listed explicitly so the same code runs from src (tests) and dist. */
export const migrations: Migration[] = [
  { name: '2026-11-22T001-create-tenants-users-tokens', ...m001 },
  { name: '2026-11-22T002-create-audit-log', ...m002 },
  { name: '2026-11-22T003-create-instances-environments-projects', ...m003 },
  { name: '2026-11-22T004-create-runs', ...m004 },
  { name: '2026-11-23T001-create-states', ...mStates },
  { name: '2026-11-23T010-create-run-logs-plans-locks', ...m010 },
  { name: '2026-11-23T020-create-pr-batches-deliveries', ...m020 },
  { name: '2026-12-01T010-unambiguous-state-names', ...mStateNames },
  { name: '2026-12-01T030-seal-run-output', ...mSealRunOutput },
  { name: '2026-12-01T040-tenant-repos-lock-logins-comment-claims', ...m1201T040 },
  { name: '2026-12-02T010-1-login-failures', ...m1202T010a },
  { name: '2026-12-02T010-2-sessions', ...m1202T010b },
  { name: '2026-12-02T010-3-token-scopes', ...m1202T010c },
  { name: '2026-12-02T020-runs-keyset-index', ...m1202T020 },
  { name: '2026-12-03T020-runner-pools', ...m1203T020 },
  { name: '2026-12-03T060-kept-plans-notifications', ...m1203T060 },
  { name: '2026-12-03T065-slack-workspaces', ...m1203T065 },
  { name: '2026-12-03T070-approvals-and-mcp-tokens', ...m1203T070 },
  { name: '2026-12-03T085-agents', ...m1203T085 },
  { name: '2026-12-03T080-drift', ...m1203T080 },
  { name: '2026-12-04T090-cmdb', ...m1204T090 },
  { name: '2026-12-04T091-itsm', ...m1204T091 },
  { name: '2026-12-04T095-lock-holder-keys', ...m1204T095 },
  { name: '2026-12-04T096-run-runner-pool', ...m1204T096 },
  { name: '2026-12-04T050-github-apps', ...m1204T050 },
  { name: '2026-12-04T070-tfe-workspaces', ...m1204T070 },
  { name: '2026-12-04T100-tfe-runs', ...m1204T100 },
  { name: '2026-12-04T020-incidents', ...m1204T020 },
  { name: '2026-12-04T040-cloud-credentials', ...m1204T040 },
  { name: '2026-12-04T060-sso-providers', ...m1204T060 },
  { name: '2026-12-04T010-slack-threads', ...m1204T010 },
  { name: '2026-12-04T030-runbooks', ...m1204T030 },
  { name: '2026-12-04T110-tfe-variables', ...m1204T110 },
  { name: '2026-12-04T120-agent-listeners', ...m1204T120 },
  { name: '2026-12-04T130-tfe-notification-configurations', ...m1204T130 },
];
