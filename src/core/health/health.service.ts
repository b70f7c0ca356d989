import type { Database } from '../db/connection.js';

export type DatabaseHealth = 'ok' | 'unavailable' | 'timeout';

/** What the readiness probe asks of the core: does the database answer, and in time. */
export class HealthService {
  constructor(private readonly deps: { db: Database; timeoutMs?: number; sandbox?: { state: 'bwrap' | 'off'; warning?: string } }) {}

  /** Whether terraform runs in the bubblewrap sandbox here, and the warning when it does not. */
  sandbox(): { sandbox: 'bwrap' | 'off'; sandbox_warning?: string } {
    const s = this.deps.sandbox;
    if (!s) return { sandbox: 'off', sandbox_warning: 'no sandbox configured' };
    return s.warning ? { sandbox: s.state, sandbox_warning: s.warning } : { sandbox: s.state };
  }

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
