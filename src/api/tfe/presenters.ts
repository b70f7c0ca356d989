import type { Actor } from '../../core/actor.js';
import { can } from '../../core/actor.js';
import type { User } from '../../core/auth/user.model.js';
import type { Tenant } from '../../core/tenants/tenant.model.js';
import type { TfeOutput, TfeStateVersionView } from '../../core/tfe/tfe-state.service.js';
import type { TfeWorkspaceView } from '../../core/tfe/tfe-workspaces.service.js';
import type { Resource } from './jsonapi.js';
import { iso } from '../presenters/iso.js';

/** Renders core's TFE views as the documents go-tfe unmarshals (types and attribute names as it reads them). */


export function workspaceResource(w: TfeWorkspaceView): Resource {
  return {
    id: w.id,
    type: 'workspaces',
    attributes: {
      name: w.name, description: w.description, 'execution-mode': w.executionMode, operations: w.executionMode !== 'local',
      'terraform-version': w.terraformVersion, 'auto-apply': w.autoApply, locked: w.locked, 'working-directory': w.workingDirectory,
      'structured-run-output-enabled': false, 'tag-names': w.tags, labels: w.labels, 'vcs-repo': w.vcsRepo,
      'vcs-repo-identifier': w.vcsRepo ? w.vcsRepo.identifier : null, 'agent-pool-id': w.agentPoolId,
      'created-at': iso(w.createdAt), 'updated-at': iso(w.updatedAt),
      'drift-status': w.drift.status, 'drift-last-checked-at': iso(w.drift.lastCheckedAt), 'drift-detection-enabled': !!w.projectId,
      actions: { 'is-destroyable': w.permissions['can-destroy'] },
      permissions: w.permissions,
      'atlantas-state': { name: w.stateName, workspace: w.stateWorkspace },
    },
    relationships: {
      organization: { data: { id: w.organization, type: 'organizations' } },
      'current-run': { data: null },
      'current-state-version': { data: w.currentStateVersionId ? { id: `sv-${w.currentStateVersionId}`, type: 'state-versions' } : null },
      project: { data: w.projectId ? { id: w.projectId, type: 'projects' } : null },
      'agent-pool': { data: w.agentPoolId ? { id: w.agentPoolId, type: 'agent-pools' } : null },
    },
    links: { self: `/api/v2/organizations/${w.organization}/workspaces/${w.name}` },
  };
}

/** A state version; `base` is where this server is reached (ATLANTAS_URL or the request's origin). */
export function stateVersionResource(v: TfeStateVersionView, base: string): Resource {
  const upload = v.uploadToken ? `?token=${encodeURIComponent(v.uploadToken)}` : null;
  return {
    id: v.id,
    type: 'state-versions',
    attributes: {
      'created-at': iso(v.createdAt), serial: v.serial, status: v.status, md5: v.md5, lineage: v.lineage, size: v.size,
      'atlantas-version': v.version, 'resources-processed': v.status === 'finalized', 'state-version': 4,
      'hosted-state-download-url': v.versionId ? `${base}/api/v2/state-versions/sv-${v.versionId}/download` : null,
      'hosted-json-state-download-url': null,
      'hosted-state-upload-url': upload && `${base}/api/v2/state-versions/${v.id}/content${upload}`,
      'hosted-json-state-upload-url': upload && `${base}/api/v2/state-versions/${v.id}/json-content${upload}`,
    },
    relationships: { workspace: { data: { id: v.workspaceId, type: 'workspaces' } } },
  };
}

export function outputResource(o: TfeOutput): Resource {
  return {
    id: o.id,
    type: 'state-version-outputs',
    attributes: { name: o.name, sensitive: o.sensitive, type: o.simpleType, value: o.value, 'detailed-type': o.type },
  };
}

export function organizationResource(t: Tenant, actor: Actor): Resource {
  return {
    id: t.slug,
    type: 'organizations',
    attributes: {
      name: t.slug, 'external-id': t.id, 'created-at': iso(t.createdAt), email: '', 'default-execution-mode': 'local',
      permissions: {
        'can-update': can(actor, 'tenant:manage'), 'can-destroy': false, 'can-create-workspace': can(actor, 'project:write'),
        'can-manage-users': can(actor, 'user:manage'), 'can-create-team': false,
      },
    },
  };
}

/** What the organization offers: remote operations and state storage (go-tfe reads `operations`). */
export function entitlementResource(t: Tenant): Resource {
  return {
    id: `org-${t.slug}`,
    type: 'entitlement-sets',
    attributes: {
      operations: true, 'state-storage': true, agents: true, 'private-module-registry': false, sentinel: false, teams: false,
      'vcs-integrations': false, 'cost-estimation': false, 'run-tasks': false, audit: true, sso: false, 'configuration-designer': false,
    },
  };
}

export function userResource(actor: Actor, user: User | null): Resource {
  return {
    id: user ? `user-${user.id}` : `user-${actor.kind}`,
    type: 'users',
    attributes: {
      username: user?.email ?? actor.name, email: user?.email ?? '', 'is-service-account': !!actor.automation, 'avatar-url': '',
      'two-factor': { enabled: false, verified: false },
      permissions: { 'can-create-organizations': false, 'can-change-email': false, 'can-change-username': false },
    },
  };
}

export function authenticationTokenResource(t: { id: string; token: string; description: string; createdAt: Date; expiresAt: Date | null }): Resource {
  return {
    id: `at-${t.id}`,
    type: 'authentication-tokens',
    attributes: { token: t.token, description: t.description, 'created-at': iso(t.createdAt), 'expired-at': iso(t.expiresAt), 'last-used-at': null },
  };
}
