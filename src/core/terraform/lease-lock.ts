/**
 * In-process coordination for one working-copy directory. Two parts:
 * - an exclusive, FIFO, abortable mutex that serialises every git operation on the copy;
 * - a count of leases at one commit: leases at the same commit share the copy, and a checkout
 *   that needs another commit waits (holding the mutex, so later requests queue behind it and
 *   it cannot starve) until every lease is released.
 * No I/O.
 */
export class LeaseLock {
  #locked = false;
  #queue: { grant: () => void }[] = [];
  #leases = 0;
  #commit: string | null = null;
  #drainWaiters: (() => void)[] = [];

  get leases(): number {
    return this.#leases;
  }

  /** the commit the current leases hold, null when none */
  get commit(): string | null {
    return this.#leases > 0 ? this.#commit : null;
  }

  /** true when nobody holds or waits for anything: the lock can be forgotten */
  get idle(): boolean {
    return !this.#locked && this.#queue.length === 0 && this.#leases === 0;
  }

  /** Waits for the mutex; resolves to its release function (idempotent). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const entry = { grant: () => {} };
      const onAbort = () => {
        this.#queue = this.#queue.filter((e) => e !== entry);
        reject(signal!.reason);
      };
      entry.grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.#locked = true;
        resolve(this.#releaser());
      };
      if (!this.#locked) return entry.grant();
      this.#queue.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The mutex's release function when it is free now, else null (nothing is queued). */
  tryAcquire(): (() => void) | null {
    if (this.#locked) return null;
    this.#locked = true;
    return this.#releaser();
  }

  /** While holding the mutex: resolves once no lease is held. */
  drained(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#leases === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#drainWaiters = this.#drainWaiters.filter((w) => w !== done);
        reject(signal!.reason);
      };
      this.#drainWaiters.push(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** While holding the mutex: adds a lease at `commit` (the copy must be at it); returns its release (idempotent). */
  lease(commit: string): () => void {
    if (this.#leases > 0 && this.#commit !== commit) throw new Error(`copy is leased at ${this.#commit}, not ${commit}`);
    this.#leases++;
    this.#commit = commit;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#leases--;
      if (this.#leases === 0) for (const wake of this.#drainWaiters.splice(0)) wake();
    };
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next.grant();
      else this.#locked = false;
    };
  }
}
