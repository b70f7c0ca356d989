import type { AgentPolicy } from './approvals/agent-policy.js';
import { NotAllowedError } from './errors.js';

export type Role = 'admin' | 'member' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'member', 'viewer'];

/** Which front end a call came through; recorded in the audit log. */
export type Via = 'api' | 'github' | 'slack' | 'mcp' | 'scheduler' | 'cli' | 'tfstate' | 'tfe' | 'atlantis_api' | 'system';

/**
 * Who is calling. Every core service method takes one and checks it; front ends only build it.
 * `kind` says how the caller proved itself: a user session (JWT), an API token, or a system actor
 * (scheduler agents, the Atlantis-secret API, the GitHub bot acting for a PR author).
 */
export interface Actor {
  kind: 'user' | 'token' | 'system';
  tenantId: string;
  role: Role;
  /** user id for user and token actors */
  userId?: string;
  tokenId?: string;
  /** human-readable: email, token name, agent name, GitHub login */
  name: string;
  via: Via;
  isPlatformAdmin: boolean;
  /** an automated agent (scheduler, AI assistant): may plan, but an apply needs a human's approval */
  automation?: boolean;
  /** an explicit policy that lets this automated actor apply without a human's approval (see mayApplyWithoutApproval) */
  applyPolicy?: 'atlantis-api-contract';
  /** the VCS login behind the actor (a PR commenter), shown where Atlantis shows one (GET /api/locks) */
  vcsLogin?: string;
  /** an AI agent's token policy: projects it may apply without a human, within limits (core/approvals) */
  agentPolicy?: AgentPolicy | null;
  /** a short-lived credential limited to one purpose, e.g. `state:<name>/<workspace>` for a run's terraform */
  scope?: string;
  /**
   * A credential that may do only these things whatever its role (a run's state credential, see
   * auth/run-credentials.ts); `note` tells a refused caller why, e.g. what a plan may do.
   */
  grants?: { permissions: readonly Permission[]; note: string };
  /** set when the actor is a run's own terraform process */
  runId?: string;
  /** the login session (JWT) the actor came with; logout revokes it */
  sessionId?: string;
}

export type Permission =
  | 'tenant:read' | 'tenant:manage'
  | 'user:read' | 'user:manage'
  | 'token:own'
  | 'project:read' | 'project:write'
  | 'environment:read' | 'environment:write'
  | 'instance:read' | 'instance:write'
  | 'audit:read'
  | 'state:read' | 'state:lock' | 'state:write' | 'state:admin'
  | 'run:read' | 'run:plan' | 'run:apply' | 'run:approve' | 'run:cancel'
  | 'lock:read' | 'lock:manage'
  /** cron agents: see them and their executions; trigger one now; create, change, pause and delete them */
  | 'agent:read' | 'agent:trigger' | 'agent:manage'
  /** CMDB: read configuration items and blast radius; register items by hand */
  | 'cmdb:read' | 'cmdb:write'
  /** ITSM: read change and service requests; file them; approve or reject them (a person, not the requester) */
  | 'itsm:read' | 'itsm:write' | 'itsm:approve'
  /** incidents (AtlasAI's /api/incidents): read them; raise, change and resolve them */
  | 'incidents:read' | 'incidents:write'
  /** cloud credentials: see their names and fields; store, rotate, validate, delete and assign them; the tenant's bill */
  | 'credential:read' | 'credential:manage' | 'billing:read';

const VIEWER: Permission[] = [
  'tenant:read', 'user:read', 'token:own', 'project:read', 'environment:read', 'instance:read',
  'state:read', 'run:read', 'lock:read', 'agent:read', 'cmdb:read', 'itsm:read', 'incidents:read',
];
const MEMBER: Permission[] = [
  ...VIEWER, 'project:write', 'environment:write', 'instance:write', 'state:lock', 'state:write',
  'run:plan', 'run:apply', 'run:approve', 'run:cancel', 'lock:manage', 'agent:trigger', 'cmdb:write', 'itsm:write', 'incidents:write', 'credential:read',
];
const ADMIN: Permission[] = [...MEMBER, 'tenant:manage', 'user:manage', 'audit:read', 'state:admin', 'agent:manage', 'itsm:approve', 'credential:manage', 'billing:read'];

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(VIEWER),
  member: new Set(MEMBER),
  admin: new Set(ADMIN),
};

export function can(actor: Actor, permission: Permission): boolean {
  return GRANTS[actor.role].has(permission) && (!actor.grants || actor.grants.permissions.includes(permission));
}

/** Roles from least to most: a token's scope or a session never ranks above its user. */
export function roleRank(role: Role): number {
  return ROLES.length - 1 - ROLES.indexOf(role);
}

/**
 * Who an actor is, stably, for telling holders apart where names may coincide: a person (their
 * session or their own API token alike) by user id, an automated token by its id, a system
 * actor by its name (system names are ours, not chosen by a tenant).
 */
export function actorKey(actor: Actor): string {
  if (actor.kind === 'system') return `system:${actor.name}`;
  if (actor.automation && actor.tokenId) return `token:${actor.tokenId}`;
  if (actor.userId) return `user:${actor.userId}`;
  return `name:${actor.name}`;
}

/** A person (a login session or a person's API token), as opposed to automation or a run's credential. */
export function isHuman(actor: Actor): boolean {
  return (actor.kind === 'user' || actor.kind === 'token') && !actor.automation && !actor.runId;
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (actor.grants && !actor.grants.permissions.includes(permission)) {
    throw new NotAllowedError(`this credential may not ${permission.replace(':', ' ')}: ${actor.grants.note}`, { code: 'forbidden' });
  }
  if (!can(actor, permission)) {
    throw new NotAllowedError(`role "${actor.role}" may not ${permission.replace(':', ' ')}`, { code: 'forbidden' });
  }
}

export function requirePlatformAdmin(actor: Actor): void {
  if (!actor.isPlatformAdmin) throw new NotAllowedError('only a platform admin may do this', { code: 'forbidden' });
}

/**
 * May this actor apply without a human's approval (an auto-applied run, a project's auto_apply)?
 * People and their tokens may; automated actors only under an explicit policy.
 */
export function mayApplyWithoutApproval(actor: Actor): boolean {
  return !actor.automation || actor.applyPolicy === 'atlantis-api-contract';
}

/** For a scoped actor: is this exact state (name, workspace) the one it may touch? */
export function scopeCoversState(actor: Actor, name: string, workspace: string): boolean {
  return !actor.scope || actor.scope === `state:${name}/${workspace}`;
}
