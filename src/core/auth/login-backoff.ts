/**
 * The per-account login backoff: what stops one email being guessed from many addresses (the
 * per-address limit cannot, since an attacker rotates addresses). Every attempt is counted
 * before the password is checked, so parallel guesses cannot slip in under the count; a success
 * clears the record. Past a few failures the account is refused for a while that doubles with
 * each further failure, up to a ceiling; failures are forgotten after a quiet hour. Pure.
 */
export const LOGIN_BACKOFF = {
  /** attempts that fail with no wait at all */
  freeFailures: 5,
  /** the first wait, doubled by every further failure */
  baseSeconds: 15,
  maxSeconds: 15 * 60,
  /** a record whose last failure is older than this starts again from zero */
  forgetAfterMs: 60 * 60_000,
} as const;

export interface LoginFailureRecord {
  failures: number;
  lastFailureAt: Date;
  blockedUntil: Date | null;
}

/** Seconds the account must still wait (0: an attempt may go ahead). */
export function secondsBlocked(record: LoginFailureRecord | null, now: Date): number {
  if (!record?.blockedUntil) return 0;
  const ms = record.blockedUntil.getTime() - now.getTime();
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** The record after counting one more attempt (as a failure until it succeeds). */
export function countAttempt(record: LoginFailureRecord | null, now: Date, policy = LOGIN_BACKOFF): LoginFailureRecord {
  const fresh = !record || now.getTime() - record.lastFailureAt.getTime() > policy.forgetAfterMs;
  const failures = fresh ? 1 : record.failures + 1;
  const over = failures - policy.freeFailures;
  const waitSeconds = over >= 0 ? Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(over, 30)) : 0;
  return { failures, lastFailureAt: now, blockedUntil: waitSeconds ? new Date(now.getTime() + waitSeconds * 1000) : null };
}
