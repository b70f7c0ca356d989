import { InputError } from '../errors.js';
import { workspaceProblem } from '../projects/paths.js';

/**
 * argv for each terraform operation Atlantas runs. Pure. Every list is passed to spawn as is:
 * user extra args (from `atlantis plan -- -var x=1`) are separate argv items that no shell ever
 * sees. Color is off and input is disabled on every command that accepts those flags.
 */

export type PlanMode = 'normal' | 'destroy' | 'refresh-only';

/** Flags users cannot pass as extra args: Atlantas owns them (plan file, directory, input, mode). */
const RESERVED_FLAGS = ['-out', '-chdir', '-input', '-state', '-state-out', '-destroy', '-refresh-only', '-detailed-exitcode'];

/** `init -input=false -no-color`, plus `-reconfigure` when Atlantas's backend override changed. */
export function initArgs(opts: { reconfigure?: boolean; upgrade?: boolean } = {}): string[] {
  const args = ['init', '-input=false', '-no-color'];
  if (opts.reconfigure) args.push('-reconfigure');
  if (opts.upgrade) args.push('-upgrade');
  return args;
}

/**
 * `workspace select -or-create=true <ws>` (terraform ≥ 1.4, tofu), or null when nothing must run:
 * - the default workspace is always selected after init;
 * - with Atlantas's own HTTP backend (backendOverridden) terraform workspaces do not exist
 *   (the http backend answers "workspaces not supported"). There each Atlantas workspace has its
 *   own state address instead (the run engine builds it per project and workspace) and terraform
 *   runs in its "default" workspace, so `terraform.workspace` evaluates to "default" in such a
 *   project. Repositories that rely on `terraform.workspace` declare their own backend.
 */
export function workspaceSelectArgs(workspace: string, opts: { backendOverridden: boolean }): string[] | null {
  const problem = workspaceProblem(workspace);
  if (problem) throw new InputError(`workspace "${workspace}" is invalid: ${problem}`);
  if (workspace === 'default' || opts.backendOverridden) return null;
  return ['workspace', 'select', '-or-create=true', '-no-color', workspace];
}

/** `plan -input=false -no-color -out <file> [-destroy|-refresh-only] [-detailed-exitcode] ...extraArgs` */
export function planArgs(opts: { out: string; mode?: PlanMode; detailedExitcode?: boolean; extraArgs?: string[] }): string[] {
  const args = ['plan', '-input=false', '-no-color', '-out', planFileArg(opts.out)];
  if (opts.mode === 'destroy') args.push('-destroy');
  else if (opts.mode === 'refresh-only') args.push('-refresh-only');
  else if (opts.mode !== undefined && opts.mode !== 'normal') throw new InputError(`unknown plan mode "${String(opts.mode)}"`);
  if (opts.detailedExitcode) args.push('-detailed-exitcode');
  return [...args, ...checkExtraArgs(opts.extraArgs ?? [])];
}

/** `show -json -no-color <planfile>`: the machine-readable plan. */
export function showJsonArgs(planFile: string): string[] {
  return ['show', '-json', '-no-color', planFileArg(planFile)];
}

/**
 * `apply -input=false -no-color <planfile>`. There is deliberately no way to pass extra args:
 * apply applies exactly the saved plan that was reviewed.
 */
export function applyArgs(planFile: string): string[] {
  return ['apply', '-input=false', '-no-color', planFileArg(planFile)];
}

/** Plan exit codes with -detailed-exitcode: 0 no changes, 2 changes, anything else an error. */
export function planOutcome(exitCode: number | null): 'no-changes' | 'changes' | 'error' {
  if (exitCode === 0) return 'no-changes';
  if (exitCode === 2) return 'changes';
  return 'error';
}

function planFileArg(file: string): string {
  if (typeof file !== 'string' || !file || file.startsWith('-') || file.includes('\0')) {
    throw new InputError(`plan file name "${String(file)}" is invalid: it must be a non-empty path not starting with "-"`);
  }
  return file;
}

/** Extra args pass through literally; only flags Atlantas owns are refused, naming the flag. */
export function checkExtraArgs(extraArgs: string[]): string[] {
  if (!Array.isArray(extraArgs)) throw new InputError('extra args must be a list of strings');
  for (const arg of extraArgs) {
    if (typeof arg !== 'string') throw new InputError('extra args must be a list of strings');
    if (arg.includes('\0')) throw new InputError('extra args cannot contain NUL characters');
    const flag = arg.replace(/^--/, '-').split('=')[0];
    if (RESERVED_FLAGS.includes(flag)) {
      throw new InputError(`extra arg "${flag}" is not allowed: Atlantas sets it itself; remove it from the command`, {
        code: 'terraform.reserved_flag',
      });
    }
  }
  return [...extraArgs];
}
