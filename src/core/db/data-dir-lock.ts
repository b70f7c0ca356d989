import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * PGlite must be opened by one process only. A pid file in the data dir stops a second server
 * from opening it; a pid file left by a killed process (its pid no longer alive) is taken over.
 */
const heldHere = new Set<string>();

export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  const file = path.join(dataDir, 'atlantas.pid');
  if (heldHere.has(file)) throw inUse(dataDir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      heldHere.add(file);
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          heldHere.delete(file);
          await rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      // A pid file of a dead process (killed, crashed) is stale and taken over.
      if (holder && holder !== process.pid && isAlive(holder)) throw inUse(dataDir, holder);
      await rm(file, { force: true });
    }
  }
  throw new Error(`could not lock the data dir ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(dataDir: string, pid: number): Error {
  return new Error(
    `the data dir ${dataDir} is in use by another Atlantas process (pid ${pid}); ` +
      'stop it, or point ATLANTAS_DATA_DIR elsewhere (several replicas need DATABASE_URL)',
  );
}
