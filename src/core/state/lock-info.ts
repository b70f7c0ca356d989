import { InputError } from '../errors.js';

/**
 * Terraform's lock description (Go `statemgr.LockInfo`, PascalCase fields). Terraform prints the
 * holder's copy to a user whose LOCK was refused, so it is kept as sent.
 */
export interface LockInfo {
  ID: string;
  Operation?: string;
  Info?: string;
  Who?: string;
  Version?: string;
  Created?: string;
  Path?: string;
  [field: string]: unknown;
}

const MAX_ID = 256;
const MAX_BYTES = 64 * 1024;

/** Parses a LOCK/UNLOCK body. Throws InputError saying what a valid body looks like. */
export function parseLockInfo(body: Buffer | string): LockInfo {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  if (Buffer.byteLength(text) > MAX_BYTES) throw bad(`is larger than ${MAX_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad('is not a JSON object');
  const id = (value as { ID?: unknown }).ID;
  if (typeof id !== 'string' || !id.trim()) throw bad('has no "ID" string');
  if (id.length > MAX_ID) throw bad(`has an "ID" longer than ${MAX_ID} characters`);
  return value as LockInfo;
}

function bad(problem: string): InputError {
  return new InputError(
    `lock body ${problem}; send terraform's lock info, e.g. {"ID":"<uuid>","Operation":"OperationTypeApply","Who":"me@host"}`,
    { code: 'invalid_lock_info' },
  );
}
