import { ConflictError } from '../errors.js';
import type { StateIdentity } from './state-document.js';

/**
 * What to do with a pushed state, given the current one. These rules are what keep a stale
 * laptop from overwriting production:
 * - no current version: any serial is accepted (the first version);
 * - same serial, same bytes: a retry (terraform retries POSTs), answered as success, nothing written;
 * - a different lineage: a different state, refused unless forced;
 * - a lower serial, or the same serial with other bytes: refused unless forced.
 * Forcing (an admin's explicit `?force=true`) still writes a new version; nothing is overwritten.
 */
export type PushDecision = { kind: 'write'; forced: boolean } | { kind: 'unchanged' };

export function decidePush(current: StateIdentity | null, incoming: StateIdentity, force: boolean): PushDecision {
  if (!current) return { kind: 'write', forced: false };
  if (incoming.serial === current.serial && incoming.md5 === current.md5 && incoming.lineage === current.lineage) {
    return { kind: 'unchanged' };
  }
  const problem = refusal(current, incoming);
  if (!problem) return { kind: 'write', forced: false };
  if (force) return { kind: 'write', forced: true };
  throw problem;
}

function refusal(current: StateIdentity, incoming: StateIdentity): ConflictError | null {
  if (incoming.lineage !== current.lineage) {
    return new ConflictError(
      `state lineage "${incoming.lineage}" differs from the current lineage "${current.lineage}": this is a different state. ` +
        'Check the backend address; an admin can replace the state on purpose with ?force=true',
      { code: 'state_lineage_mismatch' },
    );
  }
  if (incoming.serial < current.serial) {
    return new ConflictError(
      `state serial ${incoming.serial} is older than the current serial ${current.serial}; nothing was written. ` +
        'Pull the current state (terraform state pull or a fresh plan) and try again',
      { code: 'state_serial_stale' },
    );
  }
  if (incoming.serial === current.serial) {
    return new ConflictError(
      `state serial ${incoming.serial} is already stored with different content; a changed state needs a higher serial`,
      { code: 'state_serial_conflict' },
    );
  }
  return null;
}
