import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * The bubblewrap command line for one terraform process (pure apart from checking which system
 * paths exist). Terraform runs pull-request code (local-exec, external data sources, providers),
 * so inside the sandbox it sees: its own processes only (new PID, IPC and UTS namespaces, an
 * unprivileged user where the kernel allows), a fresh /proc and /dev, a private /tmp and HOME,
 * the system directories, CA certificates and name-service files read-only, the terraform binary,
 * the CLI config read-only, and exactly the directories the run writes (its working copy, its
 * scratch dir and its tenant's provider plugin cache) read-write, each at its own path so that
 * every path terraform was given keeps working, except the working copy's `.git`, read-only. Nothing of the data dir, other working copies, the server's
 * files or its environment. The network is shared: providers need it.
 *
 * No value is ever put on bwrap's command line (it is visible inside as /proc/1/cmdline): the
 * environment reaches the sandbox as bwrap's own environment, which is the child env built by
 * child-env.ts and nothing else.
 */

/** What the start-up probe found out about bwrap on this machine (sandbox-probe.ts). */
export interface SandboxProfile {
  /** absolute path of the bwrap binary */
  bwrap: string;
  /** whether --unshare-user works here (unprivileged user namespaces) */
  userNamespace: boolean;
}

export interface SandboxSpec {
  /** absolute path of the terraform binary (already resolved on PATH) */
  binary: string;
  args: string[];
  /** the project directory: the process starts there */
  cwd: string;
  /** bound read-write at their own paths: the working copy root and the run's scratch dir */
  writable: string[];
  /** inside the writable dirs, bound read-only over them (the working copy's .git) */
  readOnly?: string[];
  /** the environment terraform gets (built by child-env.ts) */
  env: Record<string, string>;
}

/** HOME inside the sandbox: an empty private tmpfs. */
export const SANDBOX_HOME = '/home/atlantas';
/** The uid/gid terraform runs as inside a user namespace (nobody). */
const SANDBOX_ID = '65534';

/** System directories bound read-only (or recreated as the symlinks they are, on merged-/usr systems). */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** Files of /etc that TLS and name resolution need; nothing else of /etc. */
const ETC_PATHS = [
  '/etc/ssl', '/etc/ca-certificates', '/etc/pki', '/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf',
  '/etc/host.conf', '/etc/gai.conf', '/etc/localtime', '/etc/passwd', '/etc/group', '/etc/ld.so.cache', '/etc/alternatives',
];
/** Env variables naming files or dirs terraform (or git, for module sources) reads: bound read-only when set. */
const READ_ONLY_ENV_PATHS = ['TF_CLI_CONFIG_FILE', 'TOFU_CLI_CONFIG_FILE', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'GIT_SSL_CAINFO', 'GIT_SSL_CAPATH'];

/** Marks the end of bwrap's options: what follows is the sandboxed command (orphan-group.ts reads it). */
export const COMMAND_SEPARATOR = '--';

/** bwrap's argv and the environment to spawn it with. The caller passes fd 3 as a pipe: bwrap writes its child's pid there. */
export function bwrapCommand(profile: SandboxProfile, spec: SandboxSpec): { file: string; argv: string[]; env: Record<string, string> } {
  const argv = ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', 'atlantas-run'];
  if (profile.userNamespace) argv.push('--unshare-user', '--uid', SANDBOX_ID, '--gid', SANDBOX_ID);
  argv.push('--die-with-parent', '--new-session', '--info-fd', '3');
  argv.push(...systemBinds(), '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', SANDBOX_HOME);
  const readOnly = new Set<string>();
  if (!underSystemDir(spec.binary)) readOnly.add(spec.binary);
  for (const name of READ_ONLY_ENV_PATHS) {
    const value = spec.env[name];
    if (value && path.isAbsolute(value)) readOnly.add(value);
  }
  for (const p of readOnly) argv.push('--ro-bind-try', p, p);
  const writable = spec.writable.map((d) => path.resolve(d));
  // terraform init installs providers into the plugin cache before linking them into .terraform
  const cache = spec.env.TF_PLUGIN_CACHE_DIR;
  if (cache && path.isAbsolute(cache)) writable.push(path.resolve(cache));
  for (const dir of new Set(writable)) argv.push('--bind', dir, dir);
  // after the writable binds: bwrap applies them in order, so these cover what those opened
  for (const dir of spec.readOnly ?? []) argv.push('--ro-bind-try', path.resolve(dir), path.resolve(dir));
  argv.push('--chdir', spec.cwd, COMMAND_SEPARATOR, spec.binary, ...spec.args);
  return { file: profile.bwrap, argv, env: sandboxEnv(spec.env) };
}

/** The child env with HOME and the temp dirs pointing inside the sandbox. */
function sandboxEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...env, HOME: SANDBOX_HOME };
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) if (out[name]) out[name] = '/tmp';
  return out;
}

function systemBinds(): string[] {
  const out: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    const kind = pathKind(dir);
    if (kind === 'symlink') out.push('--symlink', readlinkSync(dir), dir);
    else if (kind === 'dir') out.push('--ro-bind', dir, dir);
  }
  for (const p of ETC_PATHS) if (existsSync(p)) out.push('--ro-bind', p, p);
  return out;
}

function pathKind(p: string): 'symlink' | 'dir' | null {
  try {
    const s = lstatSync(p);
    return s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'dir' : null;
  } catch {
    return null;
  }
}

function underSystemDir(file: string): boolean {
  return SYSTEM_DIRS.some((dir) => file.startsWith(dir + '/'));
}

/** The command a bwrap argv runs (what follows the separator), or null when it is not a sandbox command line. */
export function sandboxedCommand(cmdline: string[]): string[] | null {
  if (path.basename(cmdline[0] ?? '') !== 'bwrap') return null;
  const at = cmdline.indexOf(COMMAND_SEPARATOR);
  return at < 0 ? null : cmdline.slice(at + 1);
}
