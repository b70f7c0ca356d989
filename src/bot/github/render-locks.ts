import { code } from './markdown.js';

/** Lock texts posted on the PR: the lock-held failure, `unlock`, and the cleanup after close. */

/**
 * The failure shown when another holder has the project locked: core's refusal (which names the
 * holder, in Atlantis's words for a pull request) and how to re-plan once the lock is released.
 */
export function lockHeldFailure(reason: string, executableName: string): string {
  return `${reason}\n\nOnce the lock is released, comment \`${executableName} plan\` here to re-plan.`;
}

/** Reply to `atlantis unlock` when the PR's locks were deleted. */
export function renderUnlocked(): string {
  return 'All Atlantis locks for this PR have been unlocked and plans discarded';
}

export interface DeletedLocks {
  dir: string;
  workspaces: string[];
}

/** Posted when a PR is closed or merged and it held locks; one line per dir. */
export function renderLocksDeleted(deleted: DeletedLocks[]): string {
  const lines = deleted.map((d) => `- dir: ${code(d.dir)} workspaces: ${d.workspaces.map(code).join(', ')}`);
  return `Locks and plans deleted for the projects and workspaces modified in this pull request:\n\n${lines.join('\n')}`;
}
