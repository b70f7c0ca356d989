import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TerraformSpy {
  /** set as ATLANTAS_TF_BINARY */
  binary: string;
  /** every process start/end, in the order they happened */
  events(): Promise<{ kind: 'S' | 'E'; pid: string; dir: string; command: string }[]>;
  cleanup(): Promise<void>;
}

/**
 * A wrapper around the real terraform that appends one line when each process starts and ends
 * (and lingers a little, so overlaps are real). Proves concurrency limits by observation.
 */
export async function terraformSpy(lingerSeconds = 0.3): Promise<TerraformSpy> {
  const real = execFileSync('bash', ['-c', 'command -v terraform'], { encoding: 'utf8' }).trim();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tf-spy-'));
  const log = path.join(dir, 'events.log');
  const binary = path.join(dir, 'terraform');
  await writeFile(
    binary,
    `#!/usr/bin/env bash
echo "S $$ $PWD $1" >> '${log}'
sleep ${lingerSeconds}
'${real}' "$@"
rc=$?
echo "E $$ $PWD $1" >> '${log}'
exit $rc
`,
  );
  await chmod(binary, 0o755);
  return {
    binary,
    async events() {
      const text = await readFile(log, 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).map((line) => {
        const [kind, pid, dirPath, command] = line.split(' ');
        return { kind: kind as 'S' | 'E', pid, dir: dirPath, command };
      });
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The largest number of processes running at once, overall and in any one directory. */
export function maxOverlap(events: { kind: 'S' | 'E'; dir: string }[]): { overall: number; perDir: number } {
  let active = 0;
  let overall = 0;
  let perDir = 0;
  const byDir = new Map<string, number>();
  for (const e of events) {
    const delta = e.kind === 'S' ? 1 : -1;
    active += delta;
    const key = e.dir.replace(/\/(pr|ref)-[^/]+\/[^/]+\//, '/'); // the same project across working copies
    byDir.set(key, (byDir.get(key) ?? 0) + delta);
    overall = Math.max(overall, active);
    perDir = Math.max(perDir, byDir.get(key)!);
  }
  return { overall, perDir };
}
