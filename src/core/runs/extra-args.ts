import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';

/**
 * Extra arguments for terraform (after `--` in a comment, `extra_args` in REST): one rule for
 * every caller. A blocked flag (ATLANTAS_BLOCKED_EXTRA_ARGS, Atlantis's default list) is
 * refused; a flag that takes a path must name a file inside the checkout — `-var-file=/etc/passwd`
 * would put the server's files into a plan, `-plugin-dir` would run binaries of the caller's
 * choosing. Checked when a command is accepted (the text) and again before terraform runs (where
 * symlinks in the checkout lead).
 */
export const DEFAULT_BLOCKED_EXTRA_ARGS: readonly string[] = ['-chdir', '--chdir', '-plugin-dir', '--plugin-dir'];

/** terraform flags whose value is a path (relative to the project dir, as terraform reads it) */
const PATH_FLAGS = new Set(['var-file', 'state', 'state-out', 'backup', 'plugin-dir', 'chdir']);

export const EXTRA_ARG_BLOCKED = 'extra_args.blocked';
export const EXTRA_ARG_PATH = 'extra_args.path_outside_checkout';

/** `-flag=value` / `--flag=value` / `-flag` → its name without dashes, or null for a non-flag. */
function flagName(arg: string): string | null {
  if (!arg.startsWith('-') || arg === '-' || arg === '--') return null;
  const body = arg.replace(/^--?/, '');
  const eq = body.indexOf('=');
  return eq === -1 ? body : body.slice(0, eq);
}

interface PathArg {
  flag: string;
  value: string;
}

/** The path-taking flags and their values, in either `-flag=v` or `-flag v` form. */
function pathArgs(args: readonly string[]): PathArg[] {
  const out: PathArg[] = [];
  args.forEach((arg, i) => {
    const name = flagName(arg);
    if (!name || !PATH_FLAGS.has(name)) return;
    const eq = arg.indexOf('=');
    out.push({ flag: arg.slice(0, eq === -1 ? arg.length : eq), value: eq === -1 ? (args[i + 1] ?? '') : arg.slice(eq + 1) });
  });
  return out;
}

/**
 * Refuses blocked flags, and path flags whose value leaves the checkout when read from each of
 * `projectDirs`. With no dirs yet (before the repository is read), only what is outside from
 * anywhere (an absolute path) is refused.
 */
export function checkExtraArgs(args: readonly string[], blocked: readonly string[], projectDirs: readonly string[]): void {
  // A blocked flag is blocked in every spelling (-f, --f, -f=v); a blocked bare word only as that word.
  const blockedFlags = new Set(blocked.flatMap((b) => flagName(b) ?? []));
  const blockedWords = new Set(blocked.filter((b) => flagName(b) === null));
  for (const arg of args) {
    const name = flagName(arg);
    if ((name !== null && blockedFlags.has(name)) || blockedWords.has(arg)) {
      throw new InputError(`flag "${arg}" is not allowed in extra args (ATLANTAS_BLOCKED_EXTRA_ARGS)`, { code: EXTRA_ARG_BLOCKED });
    }
  }
  for (const { flag, value } of pathArgs(args)) {
    for (const dir of projectDirs.length ? projectDirs : ['.']) {
      if (!staysInside(dir, value, projectDirs.length === 0)) {
        throw new InputError(`${flag} must name a file inside the repository, relative to the project directory; "${value}" is outside it`, { code: EXTRA_ARG_PATH });
      }
    }
  }
}

function staysInside(dir: string, value: string, absoluteOnly = false): boolean {
  if (value === '' || value.includes('\0') || path.posix.isAbsolute(value) || value.startsWith('~') || /^[A-Za-z]:[\\/]/.test(value)) return false;
  if (absoluteOnly) return true;
  const joined = path.posix.normalize(path.posix.join(dir, value.replace(/\\/g, '/')));
  return joined !== '..' && !joined.startsWith('../');
}

/**
 * Before terraform runs: every path flag resolves (following symlinks in the checkout) to a place
 * inside `checkoutRoot`. A path that does not exist yet (a `-state-out`) is judged by its parent.
 */
export async function assertExtraArgPathsInside(args: readonly string[], projectDir: string, checkoutRoot: string): Promise<void> {
  for (const { flag, value } of pathArgs(args)) {
    const target = path.resolve(projectDir, value);
    const real = (await realpath(target).catch(() => null)) ?? (await realpath(path.dirname(target)).catch(() => null));
    if (real !== null && real !== checkoutRoot && !real.startsWith(checkoutRoot + path.sep)) {
      throw new InputError(`${flag} "${value}" leads outside the repository (through a symbolic link); refusing to run terraform`, { code: EXTRA_ARG_PATH });
    }
  }
}
