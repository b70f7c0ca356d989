/**
 * What a drift check leaves behind, per project + workspace: the latest result (a record) and
 * one history entry per finished check. Attribute names only, never values: a drifted secret
 * shows up as the name of its attribute, marked sensitive.
 */

export interface DriftedResource {
  address: string;
  action: string;
  /** changed top-level attributes (updates), by name */
  attributes: string[];
  /** those of `attributes` terraform marks sensitive */
  sensitiveAttributes: string[];
}

export interface DriftCounts {
  toAdd: number;
  toChange: number;
  toDestroy: number;
  toImport: number;
}

export interface DriftDetails {
  /** what the refresh found changed outside terraform (`resource_drift`) */
  changesOutside: DriftedResource[];
  /** what an apply of the code at the checked commit would change (`resource_changes`) */
  pendingCodeChanges: DriftedResource[];
}

/** checking: its runs are queued or running; skipped: a lock held elsewhere; errored: a run failed */
export type DriftCheckStatus = 'checking' | 'checked' | 'skipped' | 'errored';

/** Where a check looks: one project of a repository at a ref, as the run engine names it. */
export interface DriftTarget {
  repoFullName: string;
  dir: string;
  workspace: string;
  /** the atlantis.yaml project name, '' when the repository has none */
  projectName: string;
  ref: string;
  projectId: string | null;
  environmentId: string | null;
}

export interface DriftRecord extends DriftTarget {
  id: string;
  /** the registered project's name (projects.name), when the record belongs to one */
  registeredProjectName?: string | null;
  tenantId: string;
  commitSha: string | null;
  status: DriftCheckStatus;
  /** why a check was skipped or errored, in Atlantas's words (never terraform's output) */
  reason: string | null;
  checkId: string | null;
  refreshRunId: string | null;
  planRunId: string | null;
  /** of the last finished check; null before any */
  hasDrift: boolean | null;
  counts: DriftCounts;
  summary: string | null;
  changesOutside: boolean;
  pendingCodeChanges: boolean;
  details: DriftDetails | null;
  fingerprint: string | null;
  /** bumped each time drift appears after a clean check: one notification per episode and fingerprint */
  episode: number;
  notifiedFingerprint: string | null;
  lastCheckedAt: Date | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DriftHistoryEntry {
  id: string;
  recordId: string;
  checkId: string;
  status: DriftCheckStatus;
  reason: string | null;
  hasDrift: boolean | null;
  counts: DriftCounts;
  summary: string | null;
  fingerprint: string | null;
  commitSha: string | null;
  refreshRunId: string | null;
  planRunId: string | null;
  checkedAt: Date;
}

export function totalChanges(c: DriftCounts): number {
  return c.toAdd + c.toChange + c.toDestroy + c.toImport;
}

/** The name a person knows the record's project by: atlantis.yaml's, else the registered project's, else ''. */
export function driftProjectName(r: Pick<DriftRecord, 'projectName' | 'registeredProjectName'>): string {
  return r.projectName || r.registeredProjectName || '';
}
