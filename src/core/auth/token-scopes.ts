import { roleRank, type Role } from '../actor.js';

/**
 * What an API token may do. Each scope stands for a role's rights: `read` a viewer's, `write` a
 * member's, `admin` an admin's. `mcp:read` / `mcp:write` are the same rights for an AI agent: a
 * token with an MCP scope is the only kind `/mcp` accepts, and it acts as automation everywhere
 * (it may plan, but an apply needs a human's approval from another channel). A token acts with the highest of its scopes, never above its user:
 * creating one that would is refused, and at each use the token is capped at the user's role then
 * (a demoted user's tokens lose the rights at once). Pure.
 */
export const TOKEN_SCOPES = ['read', 'write', 'admin', 'mcp:read', 'mcp:write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

const SCOPE_ROLE: Record<TokenScope, Role> = { read: 'viewer', write: 'member', admin: 'admin', 'mcp:read': 'viewer', 'mcp:write': 'member' };
const ROLE_SCOPE: Record<Role, TokenScope> = { viewer: 'read', member: 'write', admin: 'admin' };

/** The default scope of a new token: its user's role. */
export function scopeOfRole(role: Role): TokenScope {
  return ROLE_SCOPE[role];
}

/** The role a token acts with, given its scopes and its user's role now. */
export function effectiveRole(scopes: readonly TokenScope[], userRole: Role): Role {
  const tokenRole = scopes.map((s) => SCOPE_ROLE[s]).reduce<Role>((best, r) => (roleRank(r) > roleRank(best) ? r : best), 'viewer');
  return roleRank(tokenRole) <= roleRank(userRole) ? tokenRole : userRole;
}

/** The scopes among `scopes` that would give a token more than `role` allows. */
export function scopesAbove(scopes: readonly TokenScope[], role: Role): TokenScope[] {
  return scopes.filter((s) => roleRank(SCOPE_ROLE[s]) > roleRank(role));
}

/** A token for an AI agent (any MCP scope): may use /mcp, and is automation on every surface. */
export function isAgentToken(scopes: readonly string[]): boolean {
  return scopes.some((s) => s.startsWith('mcp:'));
}
