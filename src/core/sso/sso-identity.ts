import { roleRank, type Role } from '../actor.js';

/** Who the IdP says signed in, whatever the protocol. */
export interface SsoIdentity {
  email: string;
  /** the IdP vouches for the address (OIDC email_verified, GitHub's verified flag; SAML: the signed assertion) */
  emailVerified: boolean;
  name: string;
  groups: string[];
}

/** The highest role any of the user's groups maps to, else the provider's default. */
export function roleForGroups(groups: readonly string[], mapping: Record<string, Role>, defaultRole: Role): Role {
  let best: Role | null = null;
  for (const group of groups) {
    const role = mapping[group];
    if (role && (!best || roleRank(role) > roleRank(best))) best = role;
  }
  return best ?? defaultRole;
}

/** Whether the address's domain is one of `allowed` (case-insensitive); an empty list allows any. */
export function domainAllowed(email: string, allowed: readonly string[]): boolean {
  if (!allowed.length) return true;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return allowed.some((d) => d.toLowerCase() === domain);
}

/** A groups claim or attribute as a list of names: an array, a single string, or absent. */
export function groupsFrom(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value === 'string' && value) return [value];
  return [];
}

export const looksLikeEmail = (v: unknown): v is string => typeof v === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v);
