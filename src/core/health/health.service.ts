import type { Database } from '../db/connection.js';

export type DatabaseHealth = 'ok' | 'unavailable' | 'timeout';

/** What the readiness probe asks of the core: does the database answer, and in time. */
export class HealthService {
  constructor(private readonly deps: { db: Database; timeoutMs?: number }) {}

  async database(): Promise<DatabaseHealth> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DatabaseHealth>((resolve) => {
      timer = setTimeout(resolve, this.deps.timeoutMs ?? 3000, 'timeout');
    });
    try {
      return await Promise.race([this.deps.db.ping().then(() => 'ok' as const, () => 'unavailable' as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
