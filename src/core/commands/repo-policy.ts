import picomatch from 'picomatch';
import { NotAllowedError } from '../errors.js';

/**
 * ATLANTAS_REPO_ALLOWLIST: which repositories may use Atlantas (`owner/repo`, `*` wildcards,
 * case-insensitive). Empty = all. One rule for every surface.
 */
export class RepoPolicy {
  private readonly matchers: ((s: string) => boolean)[];

  constructor(private readonly allowlist: string[]) {
    this.matchers = allowlist.map((p) => picomatch(p.toLowerCase().replace(/^(https?:\/\/)?(www\.)?github\.com\//, ''), { dot: true }));
  }

  isAllowed(repoFullName: string): boolean {
    if (!this.matchers.length) return true;
    const name = repoFullName.toLowerCase();
    return this.matchers.some((m) => m(name));
  }

  assertAllowed(repoFullName: string): void {
    if (!this.isAllowed(repoFullName)) {
      throw new NotAllowedError(`repository ${repoFullName} is not in the allowlist (ATLANTAS_REPO_ALLOWLIST)`, { code: 'repo_not_allowed' });
    }
  }
}
