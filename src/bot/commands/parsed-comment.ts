import type { CommandName } from './command-specs.js';

export type { CommandName } from './command-specs.js';

/** How a comment is read. Only `executableNames` is required. */
export interface ParseOptions {
  /** Words that address the bot, e.g. ['atlantis', 'atlantas']; compared case-insensitively.
   * The first one is used in help and error texts. `run` is always accepted too, as in Atlantis. */
  executableNames: string[];
  /** The bot's own VCS login: `@<botUser> plan` addresses the bot (`<botUser> plan` without @ does not). */
  botUser?: string;
  /** Author of the comment: when it is `botUser` (or `botUser[bot]`) the comment is the bot's own and ignored. */
  commentAuthor?: string;
  /** Commands that may run. Default: version, plan, apply, unlock, approve_policies, cancel, import, state.
   * `all` allows every command; unknown names are dropped. */
  allowCommands?: string[];
}

/** Not a command for us: post nothing. */
export interface IgnoredComment {
  ignored: true;
}

/**
 * A comment addressed to the bot. What a handler does with it:
 * - `error` set → post `error` verbatim (complete markdown, e.g. a fenced `Error: …` block with
 *   the usage, or "Did you mean …"); run nothing. `command` is the command when it was recognised.
 * - else `helpText` set → post `helpText` verbatim (`help`, a bare executable name, or `<cmd> -h`);
 *   run nothing.
 * - else run `command` (a CommandName) with the fields below. See `isRunnable`.
 */
export interface ParsedCommand {
  ignored: false;
  command: CommandName | 'help' | undefined;
  /** Cleaned repo-relative dir (`.`, `a/b`), a glob pattern when `isGlob`, or '' when -d was not given. */
  dir: string;
  /** '' when -w was not given (the project builder turns it into `default`). */
  workspace: string;
  /** '' when -p was not given. */
  project: string;
  /**
   * The argv tail for terraform, Atlantis's `Flags`: every word after `--`, then the command's own
   * positional arguments (import: ADDRESS ID; state rm: the addresses). Quotes are already removed;
   * the items are never joined into a shell string.
   */
  extraArgs: string[];
  verbose: boolean;
  error: string | undefined;
  helpText: string | undefined;
  /** Only the words after `--` (what a re-plan hint repeats). */
  commentArgs: string[];
  /** The executable name used in replies and in the hints rendered for this command. */
  executableName: string;
  isGlob: boolean;
  /** `rm` for `state rm`. */
  subCommand: string | undefined;
  importArgs: { address: string; id: string } | undefined;
  stateRmAddresses: string[] | undefined;
  autoMergeDisabled: boolean;
  /** '' unless --auto-merge-method was given (merge, rebase or squash). */
  autoMergeMethod: string;
  /** approve_policies only. */
  policySet: string;
  clearPolicyApproval: boolean;
}

export type ParsedComment = IgnoredComment | ParsedCommand;

export type RunnableCommand = ParsedCommand & { command: CommandName; error: undefined; helpText: undefined };

/** True when the comment asks to run a command (not ignored, no error, no help/usage reply). */
export function isRunnable(parsed: ParsedComment): parsed is RunnableCommand {
  return !parsed.ignored && parsed.error === undefined && parsed.helpText === undefined && parsed.command !== undefined && parsed.command !== 'help';
}

export function ignoredComment(): IgnoredComment {
  return { ignored: true };
}

/** A reply-only result (help, usage or refusal) with every field at its unset value. */
export function emptyCommand(executableName: string, command?: CommandName | 'help'): ParsedCommand {
  return {
    ignored: false,
    command,
    dir: '',
    workspace: '',
    project: '',
    extraArgs: [],
    verbose: false,
    error: undefined,
    helpText: undefined,
    commentArgs: [],
    executableName,
    isGlob: false,
    subCommand: undefined,
    importArgs: undefined,
    stateRmAddresses: undefined,
    autoMergeDisabled: false,
    autoMergeMethod: '',
    policySet: '',
    clearPolicyApproval: false,
  };
}
