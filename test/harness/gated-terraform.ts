import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The real terraform behind a wrapper that records the state credential each plan/apply gets
 * (TF_HTTP_PASSWORD) and, while `hold-<command>` exists, waits for `go-<command>` before running:
 * the test uses a live run's credential exactly as code inside the run could.
 */
export async function gatedTerraform() {
  const real = execFileSync('bash', ['-c', 'command -v terraform'], { encoding: 'utf8' }).trim();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tf-gate-'));
  const log = path.join(dir, 'credentials.log');
  const binary = path.join(dir, 'terraform');
  await writeFile(binary, `#!/usr/bin/env bash
if [ "$1" = plan ] || [ "$1" = apply ]; then
  echo "$1 $PWD $TF_HTTP_PASSWORD" >> '${log}'
  if [ -e '${dir}'/hold-$1 ]; then
    for i in $(seq 1 600); do [ -e '${dir}'/go-$1 ] && break; sleep 0.1; done
    rm -f '${dir}'/hold-$1 '${dir}'/go-$1
  fi
fi
exec '${real}' "$@"
`);
  await chmod(binary, 0o755);
  const entries = async () =>
    (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((line) => {
      const [command, cwd, credential] = line.split(' ');
      return { command, cwd, credential };
    });
  return {
    binary,
    entries,
    hold: (command: string) => writeFile(path.join(dir, `hold-${command}`), ''),
    release: (command: string) => writeFile(path.join(dir, `go-${command}`), ''),
    /** waits until `command` of the project dir `dir` has started and returns its credential */
    async credentialOf(command: string, projectDir: string): Promise<string> {
      for (let i = 0; i < 600; i++) {
        const hit = (await entries()).find((e) => e.command === command && e.cwd.endsWith(`/${projectDir}`));
        if (hit) return hit.credential;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`terraform ${command} in ${projectDir} never started`);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

