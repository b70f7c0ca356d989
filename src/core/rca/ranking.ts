import type { Evidence, EvidenceKind, IncidentSignal, RankedEvidence } from './evidence.js';

/**
 * Deterministic ranking of candidate causes. Points, so that every reason can be shown:
 * - kind: an apply is a change by design; a hand-written state, a forced unlock or a merge less so;
 *   a drift record is the symptom, not the cause;
 * - time proximity (up to 30): closer to the incident's start is likelier, halving every eighth of the window;
 * - resource overlap (up to 40): the share of the incident's affected addresses it touched;
 * - destroy/replace weight (up to 20): 4 points per destroyed or replaced resource.
 * Ties break by the later time, then by id, so the same data always gives the same order.
 */
const KIND_POINTS: Record<EvidenceKind, number> = { apply: 10, pr_merge: 6, state_write: 4, lock_event: 2, drift: 1 };
const FORCED_POINTS = 6;

export function rankEvidence(items: Evidence[], signal: IncidentSignal): RankedEvidence[] {
  const affected = new Set(signal.affected);
  const halfLife = Math.max(signal.windowMs / 8, 60_000);
  const scored = items.map((e) => {
    const reasons: string[] = [];
    let score = KIND_POINTS[e.kind];
    reasons.push(`${kindLabel(e.kind)} (+${KIND_POINTS[e.kind]})`);
    if (e.forced) {
      score += FORCED_POINTS;
      reasons.push(`forced (+${FORCED_POINTS})`);
    }
    const before = Math.max(0, signal.startedAt.getTime() - e.at.getTime());
    const proximity = round(30 * Math.pow(0.5, before / halfLife));
    score += proximity;
    reasons.push(`${formatAgo(before)} before the incident started (+${proximity})`);
    const overlap = e.addresses.filter((a) => affected.has(a));
    if (affected.size && overlap.length) {
      const points = round((40 * overlap.length) / affected.size);
      score += points;
      reasons.push(`touched ${overlap.length} of ${affected.size} affected resource${affected.size === 1 ? '' : 's'}: ${overlap.slice(0, 5).join(', ')}${overlap.length > 5 ? ', …' : ''} (+${points})`);
    } else if (affected.size && e.kind !== 'lock_event') {
      reasons.push('touched none of the affected resources (+0)');
    }
    const heavy = e.destroys + e.replaces;
    if (heavy) {
      const points = Math.min(20, 4 * heavy);
      score += points;
      reasons.push(`${[e.destroys ? `destroyed ${e.destroys}` : '', e.replaces ? `replaced ${e.replaces}` : ''].filter(Boolean).join(', ')} (+${points})`);
    }
    return { ...e, score: round(score), reasons, rank: 0 };
  });
  scored.sort((a, b) => b.score - a.score || b.at.getTime() - a.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return scored.map((e, i) => ({ ...e, rank: i + 1 }));
}

function kindLabel(kind: EvidenceKind): string {
  return { apply: 'an apply', pr_merge: 'a pull request applied', state_write: 'a state write', lock_event: 'a lock event', drift: 'a drift check (a symptom)' }[kind];
}

const round = (n: number) => Math.round(n * 10) / 10;

export function formatAgo(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} d`;
}
