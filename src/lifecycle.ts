/** Process-level facts the health endpoints report: shutting down, and work in progress. */
export class Lifecycle {
  shuttingDown = false;
  private readonly sources: (() => number)[] = [];
  readonly startedAt = Date.now();

  /** Registers a counter of in-progress operations (running terraform processes, …). */
  track(source: () => number): void {
    this.sources.push(source);
  }

  inProgress(): number {
    return this.sources.reduce((n, s) => n + s(), 0);
  }
}
