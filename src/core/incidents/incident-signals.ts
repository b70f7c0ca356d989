import { CRITICALITIES, type Criticality } from '../projects/project.model.js';
import type { Severity } from './incident-status.js';

/**
 * The dedup keys and severities of the incidents Atlantas raises itself. Pure. A key names the
 * condition (kind, project, workspace), so the same drift or the same failing apply folds into
 * one incident (ecosystem.md §4: `{kind}:{project}:{workspace}`, the tenant being the row's).
 */
export type SeverityPolicy = { byCriticality: Record<Criticality, Severity>; default: Severity };

export const DEFAULT_SEVERITY_POLICY: SeverityPolicy = { byCriticality: { critical: 'P1', high: 'P2', medium: 'P3', low: 'P4' }, default: 'P3' };

/**
 * `critical=P1,high=P2,medium=P3,low=P4,default=P3` → a policy; criticalities left out keep their
 * default. A string says what is wrong.
 */
export function parseSeverityPolicy(text: string): SeverityPolicy | string {
  const policy: SeverityPolicy = { byCriticality: { ...DEFAULT_SEVERITY_POLICY.byCriticality }, default: DEFAULT_SEVERITY_POLICY.default };
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value, extra] = pair.split('=').map((p) => p.trim());
    if (extra !== undefined || !value || !/^P[1-5]$/.test(value)) return `"${pair}": expected criticality=severity pairs such as critical=P1,high=P2,medium=P3,low=P4,default=P3 (severities P1 to P5)`;
    if (key === 'default') policy.default = value as Severity;
    else if ((CRITICALITIES as readonly string[]).includes(key)) policy.byCriticality[key as Criticality] = value as Severity;
    else return `"${key}" is not a criticality: expected ${CRITICALITIES.join(', ')} or default`;
  }
  return policy;
}

export function severityFor(policy: SeverityPolicy, criticality: Criticality | null | undefined): Severity {
  return criticality ? policy.byCriticality[criticality] ?? policy.default : policy.default;
}

/** Where a signal happened: a registered project by id, else the repository path the run engine names. */
export interface SignalTarget {
  projectId: string | null;
  repoFullName: string;
  dir: string;
  projectName: string;
  workspace: string;
}

function subject(t: SignalTarget): string {
  return t.projectId ?? `${t.repoFullName}/${t.dir}${t.projectName ? `#${t.projectName}` : ''}`;
}

export const driftKey = (t: SignalTarget) => `drift:${subject(t)}:${t.workspace}`;
export const applyFailedKey = (t: SignalTarget) => `apply_failed:${subject(t)}:${t.workspace}`;

/** How a signal's project reads in a title: its registered name, else repo/dir. */
export function targetName(t: SignalTarget, registeredName?: string | null): string {
  return `${registeredName ?? (t.projectName || `${t.repoFullName}/${t.dir}`)} (${t.workspace})`;
}
