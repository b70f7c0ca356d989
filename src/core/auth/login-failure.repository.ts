import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { inTransaction } from '../db/transaction.js';
import type { LoginFailureRecord } from './login-backoff.js';

/** The `login_failures` table, shared by replicas. `account` is any login name; it is stored hashed. */
export class LoginFailureRepository {
  constructor(private readonly sequelize: Sequelize) {}

  /**
   * Under a row lock: reads the account's record, lets `decide` say whether the attempt may go
   * ahead and what to store, and stores it. Concurrent attempts on one account queue here.
   */
  async update<T>(account: string, decide: (current: LoginFailureRecord | null) => { next: LoginFailureRecord | null; result: T }): Promise<T> {
    const key = accountKey(account);
    return inTransaction(this.sequelize, undefined, async (transaction) => {
      await this.sequelize.query(
        "INSERT INTO login_failures (account, failures, last_failure_at) VALUES (:key, 0, 'epoch') ON CONFLICT (account) DO NOTHING",
        { replacements: { key }, transaction },
      );
      const [row] = await this.sequelize.query<{ failures: number; last_failure_at: Date; blocked_until: Date | null }>(
        'SELECT failures, last_failure_at, blocked_until FROM login_failures WHERE account = :key FOR UPDATE',
        { replacements: { key }, transaction, type: QueryTypes.SELECT },
      );
      const current = row && row.failures > 0 ? { failures: row.failures, lastFailureAt: row.last_failure_at, blockedUntil: row.blocked_until } : null;
      const { next, result } = decide(current);
      if (next) {
        await this.sequelize.query(
          'UPDATE login_failures SET failures = :failures, last_failure_at = :lastFailureAt, blocked_until = :blockedUntil WHERE account = :key',
          { replacements: { key, ...next }, transaction },
        );
      }
      return result;
    });
  }

  /** Forgets the account's failures (a successful login), and any record nobody has failed on for `staleMs`. */
  async clear(account: string, now: Date, staleMs: number): Promise<void> {
    await this.sequelize.query(
      'DELETE FROM login_failures WHERE account = :key OR (last_failure_at < :stale AND (blocked_until IS NULL OR blocked_until < :now))',
      { replacements: { key: accountKey(account), stale: new Date(now.getTime() - staleMs), now } },
    );
  }
}

function accountKey(account: string): string {
  return createHash('sha256').update(account.trim().toLowerCase()).digest('hex');
}
