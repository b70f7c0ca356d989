import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Encryptor } from './encryption.js';

/**
 * A store of ciphertexts that can re-seal them under the encryptor's current key
 * (`atlantas rotate-key`). Each store registers itself in createCore.
 */
export interface Rotatable {
  /** shown to the operator, e.g. "state versions" */
  readonly name: string;
  /**
   * Re-encrypts every ciphertext not under `encryptor.currentKeyId` and returns how many it did.
   * Must be idempotent (a second run does nothing) and resumable (committed batches stay done).
   */
  rotate(encryptor: Encryptor, log: Logger, options?: RotateOptions): Promise<number>;
}

export interface RotateOptions {
  /** rows per transaction */
  batchSize?: number;
}

export interface RotationReport {
  name: string;
  rotated: number;
}

/** The ciphertext stores of one core. */
export class RotationRegistry {
  private readonly items: Rotatable[] = [];

  register(rotatable: Rotatable): void {
    if (this.items.some((r) => r.name === rotatable.name)) throw new Error(`a rotatable store named "${rotatable.name}" is already registered`);
    this.items.push(rotatable);
  }

  list(): readonly Rotatable[] {
    return this.items;
  }
}

/** Rotates every store in turn; stops at the first failure (a rerun continues where it stopped). */
export async function rotateAll(rotatables: readonly Rotatable[], encryptor: Encryptor, log: Logger, options: RotateOptions = {}): Promise<RotationReport[]> {
  const reports: RotationReport[] = [];
  for (const rotatable of rotatables) {
    const storeLog = log.child({ store: rotatable.name });
    const rotated = await rotatable.rotate(encryptor, storeLog, options);
    storeLog.info({ rotated, keyId: encryptor.currentKeyId }, 're-encrypted under the current key');
    reports.push({ name: rotatable.name, rotated });
  }
  return reports;
}

/**
 * The loop most stores need: in one transaction per batch, `rotateBatch` picks up to `limit` rows
 * still under an old key (locking them, `SKIP LOCKED` so two rotators share the work), re-seals
 * them and returns how many it did. Ends when a batch finds nothing.
 */
export async function rotateInBatches(
  sequelize: Sequelize,
  batchSize: number,
  rotateBatch: (t: Transaction, limit: number) => Promise<number>,
): Promise<number> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  let total = 0;
  for (;;) {
    const done = await sequelize.transaction((t) => rotateBatch(t, batchSize));
    total += done;
    if (done === 0) return total;
  }
}
