import type { Sequelize, Transaction } from 'sequelize';

export type { Transaction };

/**
 * Runs `fn` in a transaction, or inside the caller's if one is given. Code inside must pass
 * `transaction` to every query: with the embedded database's single connection, a query outside
 * it would wait forever (and on PostgreSQL it would not see the uncommitted rows).
 */
export function inTransaction<T>(sequelize: Sequelize, outer: Transaction | undefined, fn: (t: Transaction) => Promise<T>): Promise<T> {
  if (outer) return fn(outer);
  return sequelize.transaction((t) => fn(t));
}
