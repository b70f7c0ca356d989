import { shellQuote } from './shlex.js';

/**
 * The commands the bot writes into its own comments (Atlantis `BuildPlanComment` /
 * `BuildApplyComment`), so that a reviewer can copy them back. The inverse of the grammar: every
 * command built here parses back to the same project, dir, workspace and extra args.
 */

export interface CommandTarget {
  /** Repo-relative dir, '.' for the root. */
  dir: string;
  workspace: string;
  /** '' when the project has no name. */
  projectName: string;
}

/**
 * `-p name`; `-d .` for the root dir and default workspace; `-w ws` when only the dir is the
 * default; `-d dir` when only the workspace is; otherwise `-d dir -w ws`. A dir with a space is
 * double-quoted as Atlantis does ("dir with spaces"); other unusual characters are single-quoted.
 */
export function targetFlags(target: CommandTarget): string {
  if (target.projectName !== '') return ` -p ${shellQuote(target.projectName)}`;
  const dir = quoteDir(target.dir);
  const ws = shellQuote(target.workspace);
  const rootDir = target.dir === '.' || target.dir === '';
  const defaultWs = target.workspace === 'default' || target.workspace === '';
  if (rootDir && defaultWs) return ' -d .';
  if (rootDir) return ` -w ${ws}`;
  if (defaultWs) return ` -d ${dir}`;
  return ` -d ${dir} -w ${ws}`;
}

function quoteDir(dir: string): string {
  if (/^[^"\\$`]*$/.test(dir) && dir.includes(' ') && !dir.includes("'")) return `"${dir}"`;
  return shellQuote(dir);
}

/** The re-plan command; it repeats the comment's extra args after ` -- `. */
export function buildPlanCommand(exe: string, target: CommandTarget, commentArgs: readonly string[] = []): string {
  const tail = commentArgs.length > 0 ? ` -- ${commentArgs.map(shellQuote).join(' ')}` : '';
  return `${exe} plan${targetFlags(target)}${tail}`;
}

export interface ApplyCommandOptions {
  autoMergeDisabled?: boolean;
  autoMergeMethod?: string;
}

/** The apply command; it never repeats extra args (apply uses the saved plan). */
export function buildApplyCommand(exe: string, target: CommandTarget, options: ApplyCommandOptions = {}): string {
  let flags = targetFlags(target);
  if (options.autoMergeDisabled) flags += ' --auto-merge-disabled';
  else if (options.autoMergeMethod) flags += ` --auto-merge-method ${shellQuote(options.autoMergeMethod)}`;
  return `${exe} apply${flags}`;
}
