import type { IssuedCertificate } from '../../core/runners/listener-ca.js';
import type { JoinedListener } from '../../core/runners/listeners.service.js';
import type { RunnerToken } from '../../core/runners/runner.repository.js';
import type { TfeAgentPoolView } from '../../core/tfe/tfe-agent-pools.service.js';
import type { TfeProjectView } from '../../core/tfe/tfe-projects.service.js';
import { iso } from '../presenters/iso.js';
import type { Resource } from './jsonapi.js';

/** Agent pools, their tokens, listener answers and projects, as go-tfe and a Terrapod listener read them. */
export function agentPoolResource(p: TfeAgentPoolView): Resource {
  return {
    id: p.id,
    type: 'agent-pools',
    // every workspace of the organization may use it (a shared pool too: `atlantas-shared`)
    attributes: { name: p.name, 'created-at': iso(p.createdAt), 'organization-scoped': true, 'atlantas-shared': p.tenantId === null },
    relationships: { organization: { data: { id: p.organization, type: 'organizations' } } },
  };
}

/** `raw` only in the answer to its creation: the token is shown that once. */
export function agentTokenResource(t: RunnerToken, raw?: string): Resource {
  return {
    id: t.id,
    type: 'authentication-tokens',
    attributes: { description: t.name, 'created-at': iso(t.createdAt ?? null), 'last-used-at': null, ...(raw ? { token: raw } : {}) },
    relationships: { 'agent-pool': { data: { id: t.poolId, type: 'agent-pools' } } },
  };
}

export function certificateJson(c: IssuedCertificate) {
  return { certificate: c.certificate, private_key: c.privateKey, ca_certificate: c.caCertificate, certificate_expires_at: iso(c.expiresAt) };
}

export function joinedJson(j: JoinedListener) {
  return {
    listener_id: j.listener.id, pool_id: j.listener.poolId, name: j.listener.name,
    // the listener's own credential: Bearer on /api/v2/listeners/{id}/… and on /api/v1/runner/jobs/… (X-Atlantas-Runner: {id})
    credential: j.credential, heartbeat_ms: j.heartbeatMs, ...certificateJson(j.certificate),
  };
}

export function projectResource(v: TfeProjectView): Resource {
  return {
    id: v.project.id,
    type: 'projects',
    attributes: { name: v.project.name, description: '', 'workspace-count': v.workspaceCount, 'created-at': iso(v.project.createdAt ?? null) },
    relationships: { organization: { data: { id: v.organization, type: 'organizations' } } },
  };
}
