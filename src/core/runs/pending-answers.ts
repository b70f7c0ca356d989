/**
 * Which runs a caller of this process is still answering (POST /api/plan waits for its runs,
 * then renders and writes the response). Work that comes after a run's answer — the show -json
 * of a plan whose caller needs only counts — waits until that answer is written: spawning
 * terraform forks the server and blocks its event loop for milliseconds, which would otherwise
 * land inside the response. In-process only: a remote runner's work is not on this event loop.
 */
export class PendingAnswers {
  private readonly holds = new Map<string, number>();
  private readonly waiting = new Map<string, Set<() => void>>();

  /** The caller will answer for these runs; the returned function says it has (call it once, always). */
  hold(runIds: readonly string[]): () => void {
    for (const id of runIds) this.holds.set(id, (this.holds.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const id of runIds) this.release(id);
    };
  }

  /**
   * Resolves once nobody here is answering for the run, or after `maxMs` (a caller that never
   * releases must not keep a run's after-answer work from happening), or when `signal` aborts.
   */
  async answered(runId: string, maxMs: number, signal?: AbortSignal): Promise<void> {
    if (!this.holds.has(runId) || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiting.get(runId)?.delete(done);
        if (this.waiting.get(runId)?.size === 0) this.waiting.delete(runId);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      signal?.addEventListener('abort', done, { once: true });
      const set = this.waiting.get(runId) ?? new Set();
      set.add(done);
      this.waiting.set(runId, set);
    });
  }

  private release(id: string): void {
    const left = (this.holds.get(id) ?? 1) - 1;
    if (left > 0) {
      this.holds.set(id, left);
      return;
    }
    this.holds.delete(id);
    for (const done of [...(this.waiting.get(id) ?? [])]) done();
  }
}
