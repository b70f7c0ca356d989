import { InvalidTransitionError } from '../errors.js';

/**
 * The AtlasAI incident state machine, exactly: triggered → open → acknowledged → investigating →
 * resolved → closed, and resolved → reopened → investigating. Pure. A PATCH moves one edge; the
 * Slack buttons and automatic resolution walk several edges, each one of these (see `pathTo`).
 */
export const INCIDENT_STATUSES = ['triggered', 'open', 'acknowledged', 'investigating', 'resolved', 'closed', 'reopened'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const SEVERITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export type Severity = (typeof SEVERITIES)[number];

const NEXT: Record<IncidentStatus, readonly IncidentStatus[]> = {
  triggered: ['open'],
  open: ['acknowledged'],
  acknowledged: ['investigating'],
  investigating: ['resolved'],
  resolved: ['closed', 'reopened'],
  reopened: ['investigating'],
  closed: [],
};

/** Not resolved nor closed: the incident still needs someone (and holds its dedup key). */
export const UNRESOLVED_STATUSES: readonly IncidentStatus[] = ['triggered', 'open', 'acknowledged', 'investigating', 'reopened'];

export function allowedNext(status: IncidentStatus): readonly IncidentStatus[] {
  return NEXT[status];
}

export function isUnresolved(status: IncidentStatus): boolean {
  return UNRESOLVED_STATUSES.includes(status);
}

/** Refuses a move that is not one edge of the machine, naming where the incident may go from here. */
export function assertTransition(reference: string, from: IncidentStatus, to: IncidentStatus): void {
  const allowed = NEXT[from];
  if (allowed.includes(to)) return;
  const next = allowed.length ? `allowed next: ${allowed.join(', ')}` : `${from} is final; nothing follows it`;
  throw new InvalidTransitionError(`incident ${reference} cannot go from ${from} to ${to}: ${next}`, allowed);
}

/**
 * The shortest walk of edges from `from` to `to` (each one a valid transition), or null when
 * there is none. `from` itself is not included; an incident already at `to` walks nothing.
 */
export function pathTo(from: IncidentStatus, to: IncidentStatus): IncidentStatus[] | null {
  if (from === to) return [];
  const seen = new Set<IncidentStatus>([from]);
  let frontier: IncidentStatus[][] = [[]];
  let at: IncidentStatus[] = [from];
  while (at.length) {
    const nextFrontier: IncidentStatus[][] = [];
    const nextAt: IncidentStatus[] = [];
    for (let i = 0; i < at.length; i++) {
      for (const n of NEXT[at[i]]) {
        if (seen.has(n)) continue;
        const path = [...frontier[i], n];
        if (n === to) return path;
        seen.add(n);
        nextFrontier.push(path);
        nextAt.push(n);
      }
    }
    frontier = nextFrontier;
    at = nextAt;
  }
  return null;
}

export function referenceOf(number: number): string {
  return `INC-${String(number).padStart(8, '0')}`;
}

/** `INC-00000001` (any case, any number of digits) → 1; anything else → null. */
export function numberOfReference(value: string): number | null {
  const m = /^INC-(\d{1,10})$/i.exec(value.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : null;
}

/** P1 is the most severe. */
export function moreSevere(a: Severity, b: Severity): Severity {
  return a <= b ? a : b;
}
