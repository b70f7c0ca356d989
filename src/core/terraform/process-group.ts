/**
 * Signals for a process group started with `spawn(..., { detached: true })`: the child is the
 * group leader, so `-pid` reaches it and everything it started (provider plugins, local-exec
 * shells and their children).
 */

/** Sends `signal` to the whole group. Returns false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Whether any process of the group is still alive (zombies awaiting their parent count as alive). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    // EPERM means it exists but belongs to someone else: it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
