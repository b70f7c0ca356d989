import { workspaceProblem } from '../../core/projects/paths.js';
import { COMMAND_SPECS, isCommandName, normaliseAllowCommands, type CommandName } from './command-specs.js';
import { checkDirFlag } from './dir-flag.js';
import { goQuote, parseFlags, type FlagValues } from './flag-parser.js';
import { emptyCommand, ignoredComment, type ParseOptions, type ParsedComment, type ParsedCommand } from './parsed-comment.js';
import { isSimilarWord } from './similar-word.js';
import { ShlexError, shlexSplit } from './shlex.js';
import { commandUsage, didYouMean, errorWithUsage, helpComment, parseErrorReply, unknownCommand, unlockUsage } from './usage.js';

export { isRunnable, type ParseOptions, type ParsedComment, type ParsedCommand, type RunnableCommand } from './parsed-comment.js';
export type { CommandName } from './command-specs.js';

/**
 * The PR comment grammar (`atlantis plan -d dir -w ws -- -var x=1`), shared by the GitHub and
 * Slack front ends. Pure: text in, ParsedComment out. It follows Atlantis's comment parser
 * (server/events/comment_parser.go) and its exact reply texts; see ParsedCommand for how a
 * handler uses the result.
 */

const HELP_WORDS = new Set(['help', '-h', '--help']);
const MERGE_METHODS = new Set(['merge', 'rebase', 'squash']);
/** One character, no quantifier: cannot backtrack. */
const WHITESPACE = /^\s$/;

interface Context {
  names: string[];
  exe: string;
  mention: string | undefined;
  allowed: Set<CommandName>;
}

export function parseComment(text: string, options: ParseOptions): ParsedComment {
  const ctx = context(options);
  if (isOwnComment(options)) return ignoredComment();
  const comment = stripFence(text.trim()).trim();
  if (isMultiLine(comment)) return ignoredComment();
  const first = firstWord(comment);
  if (!first) return ignoredComment();
  const addressed = checkAddressee(first, ctx);
  if (addressed !== true) return addressed;

  let args: string[];
  try {
    args = shlexSplit(comment);
  } catch (err) {
    if (err instanceof ShlexError) return refusal(ctx, parseErrorReply(err.message));
    throw err;
  }
  if (args.length < 2 || HELP_WORDS.has(args[1].toLowerCase())) return help(ctx);
  const word = args[1].toLowerCase();
  if (!isCommandName(word) || !ctx.allowed.has(word)) return refusal(ctx, unknownCommand(word, ctx.exe, ctx.allowed));
  return parseCommand(word, args.slice(2), ctx);
}

// The three helpers below read user text in one pass, without regular expressions: GitHub lets a
// comment be 65,536 characters long, and a backtracking pattern over it (the former
// `/.*\r?\n[^\r\n]+/` and `/^`+|`+$/g`) blocked the event loop for seconds per comment.

/** Drops the backticks a command may be fenced in: the leading and the trailing run. */
function stripFence(text: string): string {
  let start = 0;
  while (start < text.length && text[start] === '`') start++;
  let end = text.length;
  while (end > start && text[end - 1] === '`') end--;
  return text.slice(start, end);
}

/** A second non-blank line makes the comment not a command: a newline followed by anything but CR or LF. */
function isMultiLine(text: string): boolean {
  for (let i = text.indexOf('\n'); i !== -1 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) {
    if (text[i + 1] !== '\r' && text[i + 1] !== '\n') return true;
  }
  return false;
}

/** The text up to the first whitespace character (`\s`, tested one character at a time). */
function firstWord(text: string): string {
  let end = 0;
  while (end < text.length && !WHITESPACE.test(text[end])) end++;
  return text.slice(0, end);
}

function context(options: ParseOptions): Context {
  const names = options.executableNames.map((n) => n.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) throw new Error('parseComment needs at least one executable name');
  return {
    names,
    exe: names[0],
    mention: options.botUser ? `@${options.botUser.toLowerCase()}` : undefined,
    allowed: normaliseAllowCommands(options.allowCommands),
  };
}

function isOwnComment(options: ParseOptions): boolean {
  if (!options.botUser || !options.commentAuthor) return false;
  const norm = (login: string): string => login.toLowerCase().replace(/\[bot\]$/, '');
  return norm(options.commentAuthor) === norm(options.botUser);
}

/** true when the first word addresses the bot; otherwise the result to return (ignored or a hint). */
function checkAddressee(typed: string, ctx: Context): true | ParsedComment {
  const first = typed.toLowerCase();
  if (ctx.names.includes(first) || first === 'run' || first === ctx.mention) return true;
  if (first === 'terraform') return refusal(ctx, didYouMean(ctx.exe, 'terraform'));
  if (ctx.names.includes('atlantis') && isSimilarWord(first, 'atlantis')) return refusal(ctx, didYouMean('atlantis', typed));
  return ignoredComment();
}

function refusal(ctx: Context, error: string, command?: CommandName): ParsedCommand {
  return { ...emptyCommand(ctx.exe, command), error };
}

function help(ctx: Context): ParsedCommand {
  return { ...emptyCommand(ctx.exe, 'help'), helpText: helpComment(ctx.exe, ctx.allowed) };
}

function parseCommand(command: CommandName, words: string[], ctx: Context): ParsedCommand {
  const spec = COMMAND_SPECS[command];
  const flags = parseFlags(spec.flags, words);
  if (flags.kind === 'help') {
    const helpText = command === 'unlock' ? unlockUsage(ctx.exe) : commandUsage(command);
    return { ...emptyCommand(ctx.exe, command), helpText };
  }
  if (flags.kind === 'error') {
    return refusal(ctx, command === 'unlock' ? unlockUsage(ctx.exe) : errorWithUsage(flags.message, command, command), command);
  }
  const dash = flags.argsLenAtDash;
  const positional = dash === -1 ? flags.args : flags.args.slice(0, dash);
  const commentArgs = dash === -1 ? [] : flags.args.slice(dash);
  const split = splitPositional(command, positional);
  if ('error' in split) return refusal(ctx, split.error, command);
  const result = buildCommand(command, flags.values, commentArgs, split, ctx);
  const problem = validate(result, flags.values);
  return problem === undefined ? result : refusal(ctx, errorWithUsage(problem, command, command), command);
}

interface Positional {
  subCommand: string | undefined;
  args: string[];
}

/** Takes the sub-command off and checks the number of positional arguments. */
function splitPositional(command: CommandName, positional: string[]): Positional | { error: string } {
  const spec = COMMAND_SPECS[command];
  let args = positional;
  let subCommand: string | undefined;
  if (spec.subCommands) {
    if (args.length === 0) return { error: errorWithUsage('subcommand required', command, command) };
    [subCommand, ...args] = args;
    if (!spec.subCommands.includes(subCommand)) {
      return { error: errorWithUsage(`invalid subcommand ${subCommand} (not ${spec.subCommands.join(', ')})`, command, command) };
    }
  }
  if (args.length > spec.args.max) return { error: errorWithUsage(`unknown argument(s) – ${args.join(' ')}`, spec.usageName, command) };
  if (args.length < spec.args.min) return { error: errorWithUsage(`missing argument(s) – ${spec.args.missing}`, spec.usageName, command) };
  return { subCommand, args };
}

function buildCommand(command: CommandName, values: FlagValues, commentArgs: string[], pos: Positional, ctx: Context): ParsedCommand {
  const str = (name: string): string => (typeof values[name] === 'string' ? (values[name] as string) : '');
  return {
    ...emptyCommand(ctx.exe, command),
    dir: str('dir'),
    workspace: str('workspace'),
    project: str('project'),
    verbose: values.verbose === true,
    commentArgs,
    extraArgs: [...commentArgs, ...pos.args],
    subCommand: pos.subCommand,
    importArgs: command === 'import' ? { address: pos.args[0], id: pos.args[1] } : undefined,
    stateRmAddresses: command === 'state' ? pos.args : undefined,
    autoMergeDisabled: values['auto-merge-disabled'] === true,
    autoMergeMethod: str('auto-merge-method'),
    policySet: str('policy-set'),
    clearPolicyApproval: values['clear-policy-approval'] === true,
  };
}

/** Checks the flag values in Atlantis's order; cleans `dir` in place. Returns the problem, if any. Slack's grammar checks its flags with it too. */
export function validate(result: ParsedCommand, values: FlagValues): string | undefined {
  const dir = checkDirFlag(result.dir);
  if (!dir.ok) return dir.message;
  result.dir = dir.dir;
  result.isGlob = dir.isGlob;
  const wsProblem = result.workspace === '' ? null : workspaceProblem(result.workspace);
  if (wsProblem !== null) return `invalid workspace ${goQuote(result.workspace)}: ${wsProblem}`;
  if (result.project !== '' && ((typeof values.dir === 'string' && values.dir !== '') || result.workspace !== '')) {
    return 'cannot use -p/--project at same time as -d/--dir or -w/--workspace';
  }
  if (result.autoMergeMethod !== '' && result.autoMergeDisabled) return 'cannot use --auto-merge-method at the same time as --auto-merge-disabled';
  if (result.autoMergeMethod !== '' && !MERGE_METHODS.has(result.autoMergeMethod)) {
    return `invalid --auto-merge-method ${goQuote(result.autoMergeMethod)}: use merge, rebase or squash`;
  }
  // Blocked extra args are not the grammar's to judge: core refuses them for every caller (runs/extra-args.ts).
  return undefined;
}
