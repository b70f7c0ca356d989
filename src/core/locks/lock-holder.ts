import type { ProjectLock } from './project-lock.model.js';

export interface LockTarget {
  repoFullName: string;
  dir: string;
  workspace: string;
  projectName: string;
}

export type LockHolder =
  | { kind: 'pull_request'; prNumber: number; prUrl: string | null; lockedBy: string; vcsLogin?: string | null }
  | { kind: 'actor'; name: string; lockedBy: string; vcsLogin?: string | null };

export function holderName(h: LockHolder): string {
  return h.kind === 'pull_request' ? `pull #${h.prNumber}` : h.name;
}

export function sameHolder(lock: ProjectLock, h: LockHolder): boolean {
  if (lock.holderKind !== h.kind) return false;
  return h.kind === 'pull_request' ? lock.prNumber === h.prNumber : lock.holderName === h.name;
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
