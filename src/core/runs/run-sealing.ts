import type { Encryptor, Sealed } from '../secrets/encryption.js';
import type { Run } from './run.model.js';

/**
 * The fields of a run that hold what terraform printed or values from a configuration: the
 * error text (terraform's stderr echoes values), the resource changes and drift (addresses carry
 * `for_each` keys) and the extra args (`-var password=…`). They are stored sealed like state and
 * plan files (AES-256-GCM under the current key, its id beside each ciphertext), each bound to
 * its run and field, so a database dump or backup shows none of them and a ciphertext copied to
 * another row or column does not decrypt. The repository seals on write and opens on read: every
 * caller still sees a plain `Run`.
 *
 * Left in clear, because nothing in them comes from terraform's output or a config value:
 * `summary` and `status_reason` (counts and sentences Atlantas writes; an apply's line is kept
 * only when it matches terraform's "Apply complete! Resources: N added…" exactly), `title`.
 */
export const SEALED_RUN_FIELDS = ['error', 'resourceChanges', 'resourceDrift', 'extraArgs'] as const;
export type SealedRunField = (typeof SEALED_RUN_FIELDS)[number];

/** How each sealed field is stored: `<field>KeyId` and `<field>Sealed` (columns `<column>_key_id`, `<column>_sealed`). */
export type SealedRunColumns = { [F in SealedRunField as `${F}KeyId`]: string | null } & { [F in SealedRunField as `${F}Sealed`]: Buffer | null };

/** A runs row as stored. */
export type RunRow = Omit<Run, SealedRunField> & SealedRunColumns;

/** The column name prefix of each sealed field. */
export const SEALED_RUN_COLUMNS: Record<SealedRunField, string> = {
  error: 'error', resourceChanges: 'resource_changes', resourceDrift: 'resource_drift', extraArgs: 'extra_args',
};

/** Binds a field's ciphertext to its run and column. */
export function runFieldAad(runId: string, field: SealedRunField): string {
  return `run-field:${runId}:${SEALED_RUN_COLUMNS[field]}`;
}

/** The value a field has when nothing is stored: no extra args is `[]`, everything else null. */
const EMPTY: Record<SealedRunField, unknown> = { error: null, resourceChanges: null, resourceDrift: null, extraArgs: [] };

export class RunSealer {
  constructor(private readonly encryptor: Encryptor) {}

  /** One field's value sealed (as JSON), or null when there is nothing to store. */
  sealField(runId: string, field: SealedRunField, value: unknown): Sealed | null {
    if (value === null || value === undefined || (field === 'extraArgs' && Array.isArray(value) && value.length === 0)) return null;
    return this.encryptor.seal(JSON.stringify(value), runFieldAad(runId, field));
  }

  openField(runId: string, field: SealedRunField, keyId: string | null, data: Buffer | null): unknown {
    if (keyId === null || data === null) return EMPTY[field];
    return JSON.parse(this.encryptor.openString({ keyId, data }, runFieldAad(runId, field)));
  }

  /** `values` as the model stores them: each sealed field given is replaced by its two columns. */
  seal<T extends Partial<Run>>(runId: string, values: T): Omit<T, SealedRunField> & Partial<SealedRunColumns> {
    const out: Record<string, unknown> = { ...values };
    for (const field of SEALED_RUN_FIELDS) {
      if (!(field in values)) continue;
      delete out[field];
      const sealed = this.sealField(runId, field, values[field]);
      out[`${field}KeyId`] = sealed?.keyId ?? null;
      out[`${field}Sealed`] = sealed?.data ?? null;
    }
    return out as Omit<T, SealedRunField> & Partial<SealedRunColumns>;
  }

  /** A stored row as callers see it. */
  open(row: RunRow): Run {
    const run: Record<string, unknown> = { ...row };
    for (const field of SEALED_RUN_FIELDS) {
      run[field] = this.openField(row.id, field, row[`${field}KeyId`], row[`${field}Sealed`]);
      delete run[`${field}KeyId`];
      delete run[`${field}Sealed`];
    }
    return run as unknown as Run;
  }
}
