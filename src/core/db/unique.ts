import { ForeignKeyConstraintError, UniqueConstraintError } from 'sequelize';
import { ConflictError, InputError } from '../errors.js';

/** Turns constraint violations into domain errors that say what to change; `duplicate` replaces the generic one for a unique violation. */
export async function translateConstraints<T>(what: string, fn: () => Promise<T>, duplicate?: () => Error): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw duplicate?.() ?? new ConflictError(`${what} already exists; choose another name`, { code: 'already_exists' });
    if (err instanceof ForeignKeyConstraintError) throw new InputError(`${what} refers to something that does not exist`, { code: 'invalid_reference' });
    throw err;
  }
}

/** Drops keys whose value is undefined, so model defaults apply and PATCH leaves fields alone. */
export function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
