import { describe, expect, it } from 'vitest';
import { LeaseLock } from '../../../src/core/terraform/lease-lock.js';

describe('LeaseLock', () => {
  it('grants the mutex in FIFO order', async () => {
    const lock = new LeaseLock();
    const order: number[] = [];
    const first = await lock.acquire();
    const waiting = [1, 2, 3].map((n) => lock.acquire().then((release) => (order.push(n), release())));
    expect(order).toEqual([]);
    first();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
    expect(lock.idle).toBe(true);
  });

  it('tryAcquire takes only a free mutex, and a waiter gets it after', async () => {
    const lock = new LeaseLock();
    const held = lock.tryAcquire();
    expect(held).not.toBeNull();
    expect(lock.tryAcquire()).toBeNull();
    const next = lock.acquire();
    held!();
    (await next)();
    expect(lock.idle).toBe(true);
  });

  it('drops an aborted waiter from the queue', async () => {
    const lock = new LeaseLock();
    const held = await lock.acquire();
    const ac = new AbortController();
    const aborted = lock.acquire(ac.signal);
    const next = lock.acquire();
    ac.abort(new Error('run canceled'));
    await expect(aborted).rejects.toThrow('run canceled');
    held();
    (await next)();
    expect(lock.idle).toBe(true);
  });

  it('shares leases at one commit and drains only when all are released', async () => {
    const lock = new LeaseLock();
    const a = lock.lease('c1');
    const b = lock.lease('c1');
    expect(() => lock.lease('c2')).toThrow(/leased at c1/);
    let drained = false;
    const wait = lock.drained().then(() => (drained = true));
    a();
    a(); // idempotent: does not release b's share
    await Promise.resolve();
    expect(drained).toBe(false);
    expect(lock.commit).toBe('c1');
    b();
    await wait;
    expect(drained).toBe(true);
    expect(lock.commit).toBeNull();
  });

  it('stops waiting for a drain on abort', async () => {
    const lock = new LeaseLock();
    lock.lease('c1');
    const ac = new AbortController();
    const wait = lock.drained(ac.signal);
    ac.abort(new Error('timeout'));
    await expect(wait).rejects.toThrow('timeout');
  });
});
