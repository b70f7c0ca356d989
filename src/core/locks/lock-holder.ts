import { actorKey, type Actor } from '../actor.js';
import type { ProjectLock } from './project-lock.model.js';

export interface LockTarget {
  repoFullName: string;
  dir: string;
  workspace: string;
  projectName: string;
}

/** `lockedByKey` is actorKey of who takes it; an actor holder's `key` who holds it (actorKey, or `named:<name>` for a shared holder). */
export type LockHolder =
  | { kind: 'pull_request'; prNumber: number; prUrl: string | null; lockedBy: string; lockedByKey?: string; vcsLogin?: string | null }
  | { kind: 'actor'; name: string; key?: string; lockedBy: string; lockedByKey?: string; vcsLogin?: string | null };

export function holderName(h: LockHolder): string {
  return h.kind === 'pull_request' ? `pull #${h.prNumber}` : h.name;
}

export function sameHolder(lock: ProjectLock, h: LockHolder): boolean {
  if (lock.holderKind !== h.kind) return false;
  if (h.kind === 'pull_request') return lock.prNumber === h.prNumber;
  // by identity where both sides have one; an older lock (no key) by name, as it was taken
  return lock.holderKey && h.key ? lock.holderKey === h.key : lock.holderName === h.name;
}

/** Whether `actor` is who took the lock (an agent may free its own lock without a person). */
export function takenBy(lock: ProjectLock, actor: Actor): boolean {
  return lock.lockedByKey ? lock.lockedByKey === actorKey(actor) : lock.lockedBy === actor.name;
}

/** The refusal users see on every surface (Atlantis wording for PR-held locks). */
export function lockedMessage(lock: ProjectLock): string {
  if (lock.holderKind === 'pull_request') {
    return (
      `This project is currently locked by an unapplied plan from pull #${lock.prNumber}. ` +
      `To continue, delete the lock from #${lock.prNumber} or apply that plan and merge the pull request.`
    );
  }
  return (
    `This project is currently locked by ${lock.holderName}${lock.runId ? ` (run ${lock.runId})` : ''}. ` +
    'To continue, wait for that run to finish, apply or discard its plan, or delete the lock.'
  );
}
