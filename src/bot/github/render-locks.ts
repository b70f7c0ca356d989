import { code } from './markdown.js';

/** Lock texts posted on the PR: the lock-held failure, `unlock`, and the cleanup after close. */

/** Who holds a project lock: a pull request, or someone outside PRs (Slack, API, MCP). */
export type LockHolder = { pullNumber: number } | { description: string };

/**
 * The failure reason when another holder has the project locked; render it as a `failure`
 * (`**Plan Failed**: …`). The PR variant is Atlantis's exact text.
 */
export function lockHeldFailure(holder: LockHolder, executableName: string): string {
  const replan = `Once the lock is released, comment \`${executableName} plan\` here to re-plan.`;
  if ('pullNumber' in holder) {
    const pr = `#${holder.pullNumber}`;
    return `This project is currently locked by an unapplied plan from pull ${pr}. To continue, delete the lock from ${pr} or apply that plan and merge the pull request.\n\n${replan}`;
  }
  return `This project is currently locked by ${holder.description}. To continue, wait until that lock is released or ask its holder to release it.\n\n${replan}`;
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
