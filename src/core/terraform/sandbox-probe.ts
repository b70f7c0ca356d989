import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from '../../logger.js';
import { ConfigError } from '../errors.js';
import { bwrapCommand, type SandboxProfile } from './sandbox.js';

/** ATLANTAS_SANDBOX */
export type SandboxMode = 'auto' | 'bwrap' | 'off';

/** What this server does about isolating terraform, decided once at start. */
export interface SandboxStatus {
  mode: SandboxMode;
  /** set when terraform runs under bwrap */
  profile: SandboxProfile | null;
  /** why the sandbox is off (missing bwrap, user namespaces refused, or ATLANTAS_SANDBOX=off) */
  reason?: string;
}

export const INSTALL_HINT = 'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora/RHEL: dnf install bubblewrap)';

/**
 * Decides at start whether terraform runs under bubblewrap. bwrap is looked up on the PATH of the
 * environment terraform starts from, then tried for real with the very options a run uses
 * (first with a user namespace, then without one, which works only with privileges). Under
 * `bwrap` a failure stops the start; under `auto` it warns loudly and the sandbox is off; `off`
 * is the operator acknowledging the risk.
 */
export async function probeSandbox(mode: SandboxMode, env: NodeJS.ProcessEnv, log: Logger): Promise<SandboxStatus> {
  if (mode === 'off') {
    log.warn('ATLANTAS_SANDBOX=off: terraform runs WITHOUT a sandbox and pull-request code (local-exec, providers) can read this server\'s secrets, files and database; every tenant can run');
    return { mode, profile: null, reason: 'ATLANTAS_SANDBOX=off' };
  }
  const found = await findProfile(env);
  if ('profile' in found) {
    log.info({ bwrap: found.profile.bwrap, userNamespace: found.profile.userNamespace }, 'terraform runs in the bubblewrap sandbox');
    return { mode, profile: found.profile };
  }
  if (mode === 'bwrap') {
    // A configuration the machine cannot honour: the server does not start (cli.ts: exit 78).
    throw new ConfigError([`ATLANTAS_SANDBOX=bwrap, but the sandbox cannot run here: ${found.reason}. ${cap(INSTALL_HINT)}, or set ATLANTAS_SANDBOX=auto`]);
  }
  log.warn(
    { reason: found.reason },
    `!!! SANDBOX OFF: ${found.reason}. Terraform runs unsandboxed, so only the default tenant may run; runs of other tenants are refused until you ${INSTALL_HINT} and restart (or set ATLANTAS_SANDBOX=off to accept the risk)`,
  );
  return { mode, profile: null, reason: found.reason };
}

async function findProfile(env: NodeJS.ProcessEnv): Promise<{ profile: SandboxProfile } | { reason: string }> {
  const bwrap = onPath('bwrap', env.PATH ?? '');
  if (!bwrap) return { reason: 'bwrap (bubblewrap) is not on PATH' };
  const errors: string[] = [];
  for (const userNamespace of [true, false]) {
    const profile = { bwrap, userNamespace };
    const problem = await tryProfile(profile, env);
    if (!problem) return { profile };
    errors.push(`${userNamespace ? 'with' : 'without'} a user namespace: ${problem}`);
  }
  return { reason: `${bwrap} fails (${errors.join('; ')})` };
}

/** Runs `true` in a sandbox built exactly like a run's; returns what went wrong, or null. */
async function tryProfile(profile: SandboxProfile, env: NodeJS.ProcessEnv): Promise<string | null> {
  const truePath = onPath('true', '/usr/bin:/bin');
  if (!truePath) return 'no `true` binary in /usr/bin or /bin';
  const scratch = mkdtempSync(path.join(tmpdir(), 'atlantas-sandbox-probe-'));
  try {
    const cmd = bwrapCommand(profile, { binary: truePath, args: [], cwd: scratch, writable: [scratch], env: { PATH: env.PATH ?? '/usr/bin:/bin' } });
    return await runOnce(cmd.file, cmd.argv, cmd.env);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs bwrap with fd 3 open (where it reports its child's pid, discarded here); null on success, else its complaint. */
function runOnce(file: string, argv: string[], env: Record<string, string>): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(file, argv, { env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    (child.stdio[3] as Readable).resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', (err) => resolve(err.message));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? null : stderr.trim().split('\n')[0] || `exit ${code ?? signal}`);
    });
  });
}

/** The first executable `name` in a PATH string, or null. */
export function onPath(name: string, pathList: string): string | null {
  for (const dir of pathList.split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
