import type { Actor, Role } from '../actor.js';
import { NotAllowedError } from '../errors.js';
import type { RepoPermission } from '../ports/vcs-host.js';

/**
 * The Actor for a person acting through GitHub (a PR comment, a PR event). Their repository
 * permission maps to a role, so the same core checks apply as for REST: write or more plans and
 * applies (member), read only reads (viewer), none is refused. With `requireWrite` off (a
 * server setting), every commenter counts as a member.
 */
export function actorFromRepoPermission(
  tenantId: string,
  login: string,
  permission: RepoPermission,
  options: { requireWrite: boolean; command: string },
): Actor {
  const role: Role | null = !options.requireWrite ? 'member' : roleFor(permission);
  if (!role || (role === 'viewer' && options.command !== 'help')) {
    throw new NotAllowedError(`User @${login} does not have permissions to execute '${options.command}' command.`, { code: 'forbidden' });
  }
  return { kind: 'system', tenantId, role, name: `github:${login}`, via: 'github', isPlatformAdmin: false, automation: false, vcsLogin: login };
}

function roleFor(permission: RepoPermission): Role | null {
  if (permission === 'admin' || permission === 'maintain' || permission === 'write') return 'member';
  if (permission === 'read' || permission === 'triage') return 'viewer';
  return null;
}
