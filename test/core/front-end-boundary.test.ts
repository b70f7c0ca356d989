import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../harness/start-app.js';

const root = path.resolve(import.meta.dirname, '../..');
const FRONT_ENDS = ['src/api', 'src/bot', 'src/mcp'];
/** what a front end may know only as a type: storage, keys and queries stay behind the services */
const CORE_INTERNALS = /\/core\/(db\/|secrets\/|.*\.model\.js$|.*\.repository\.js$)|^sequelize$|^pg$/;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

/** `import x from '…'` and `import { x } from '…'` whose bindings exist at runtime (not `import type`) */
function valueImports(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)'/gms)) {
    if (m[1]) continue;
    const bindings = m[2]!.replace(/[{}\s]/g, '').split(',').filter(Boolean);
    if (bindings.every((b) => b.startsWith('type'))) continue;
    found.push(m[3]!);
  }
  return found;
}

describe('front ends see the core through its services only', () => {
  it('no file under src/api, src/bot or src/mcp imports the database, the key, a model or a repository as a value', async () => {
    const offenders: string[] = [];
    for (const dir of FRONT_ENDS) {
      for (const file of await sources(dir)) {
        const text = await readFile(path.join(root, file), 'utf8');
        for (const spec of valueImports(text)) if (CORE_INTERNALS.test(spec)) offenders.push(`${file} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the core a front end receives holds services, and no database, models, key or worker', async () => {
    const app = await startTestApp();
    try {
      const reachable = Object.keys(app.core);
      for (const handle of ['db', 'models', 'encryptor', 'rotation', 'worker', 'endpoint', 'recover', 'runner', 'workingCopies', 'plans', 'repos']) {
        expect(reachable).not.toContain(handle);
      }
      expect(reachable).toEqual(expect.arrayContaining(['auth', 'runs', 'locks', 'state', 'commands', 'health']));
    } finally {
      await app.close();
    }
  });
});
