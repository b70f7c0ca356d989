/**
 * One candidate cause of an incident, as RCA and the copilot show it (and as the model reads it):
 * what happened, when, by whom, on which project, touching which resource addresses. Metadata
 * only — never a state value, never terraform's output.
 */
export type EvidenceKind = 'apply' | 'state_write' | 'lock_event' | 'pr_merge' | 'drift';

export interface Evidence {
  /** `<kind>:<id of the row>`, stable between two analyses */
  id: string;
  kind: EvidenceKind;
  at: Date;
  projectId: string | null;
  /** the project's name, or repo/dir when it is not registered */
  project: string;
  summary: string;
  actor: string | null;
  runId?: string;
  prNumber?: number;
  prUrl?: string | null;
  /** resource addresses it changed (applies) or found changed (drift) */
  addresses: string[];
  /** how many resources it destroyed and replaced (applies) */
  destroys: number;
  replaces: number;
  /** a state written by hand with force, a lock released by force: weighs more */
  forced?: boolean;
  detail: Record<string, unknown>;
}

export interface RankedEvidence extends Evidence {
  rank: number;
  score: number;
  /** why it ranks where it does, one reason per scored factor */
  reasons: string[];
}

/** What the incident itself tells about its cause. */
export interface IncidentSignal {
  startedAt: Date;
  /** the addresses the incident is about: drifted resources, failed apply's resources, CIs */
  affected: string[];
  windowMs: number;
}
