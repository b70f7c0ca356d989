import type { PullRequestInfo, VcsHost } from '../ports/vcs-host.js';

export const APPLY_REQUIREMENTS = ['approved', 'mergeable', 'undiverged'] as const;
export type ApplyRequirement = (typeof APPLY_REQUIREMENTS)[number];

/** Atlantis's own wording for each unmet requirement. */
export const REQUIREMENT_MESSAGES: Record<ApplyRequirement, string> = {
  approved: "Pull request must be approved according to the project's approval rules before running apply.",
  mergeable: 'Pull request must be mergeable before running apply.',
  undiverged: 'Default branch must be rebased onto pull request before running apply.',
};

/**
 * The first unmet apply requirement of a pull request (project requirements from atlantis.yaml
 * plus the server's ATLANTAS_APPLY_REQUIREMENTS), checked against the VCS; null when all are met.
 */
export async function unmetRequirement(required: Iterable<string>, pr: PullRequestInfo, vcs: VcsHost): Promise<string | null> {
  const set = new Set(required);
  if (set.has('approved') && !(await vcs.isApproved(pr.repoFullName, pr.number, pr.headSha))) return REQUIREMENT_MESSAGES.approved;
  if (set.has('mergeable') && !isMergeable(pr)) {
    return `${REQUIREMENT_MESSAGES.mergeable}${pr.mergeableState && pr.mergeableState !== 'unknown' ? ` (${pr.mergeableState})` : ''}`;
  }
  if (set.has('undiverged') && (await vcs.compareDiverged(pr.repoFullName, pr.baseRef, pr.headSha))) return REQUIREMENT_MESSAGES.undiverged;
  return null;
}

/**
 * GitHub's `mergeable_state` is "blocked" while required statuses are pending — including our own
 * atlantis/apply — so only a mergeable PR that is not dirty (conflicts) counts, as Atlantis does
 * with --gh-allow-mergeable-bypass-apply.
 */
function isMergeable(pr: PullRequestInfo): boolean {
  return pr.mergeable === true && pr.mergeableState !== 'dirty' && pr.state === 'open';
}
