import { InputError } from '../errors.js';
import { isUuid } from '../ids.js';

/**
 * Where a page of runs ended, for keyset paging (`created_at DESC, id DESC`): the last run's
 * created_at exactly as stored (UTC, to the microsecond: a JavaScript Date would round it to the
 * millisecond and skip or repeat runs made in the same millisecond) and its id, which breaks ties.
 */
export interface RunPosition {
  /** `YYYY-MM-DDTHH:MM:SS.ffffff`, UTC */
  createdAt: string;
  id: string;
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

/** The opaque `cursor` a client passes back: base64url, so nobody is tempted to build one. */
export function encodeRunCursor(p: RunPosition): string {
  return Buffer.from(`${p.createdAt}|${p.id}`).toString('base64url');
}

/** Reads a cursor this API returned; anything else is an InputError saying what to do. Pure. */
export function decodeRunCursor(cursor: string): RunPosition {
  const [createdAt, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !createdAt || !id || !TIME.test(createdAt) || !isUuid(id) || !isRealTime(createdAt)) {
    throw new InputError('cursor is not one this API returned; pass the cursor of a "next" link unchanged, or leave it out to start from the newest run', { code: 'invalid_cursor' });
  }
  return { createdAt, id };
}

function isRealTime(t: string): boolean {
  const parsed = new Date(`${t.slice(0, 23)}Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 19) === t.slice(0, 19);
}
