import { COMMAND_ORDER, COMMAND_SPECS, type CommandName } from './command-specs.js';
import { flagUsagesWrapped } from './flag-usage.js';
import { goQuote } from './flag-parser.js';

/**
 * The replies users know from Atlantis, as complete markdown. `exe` is the executable name the
 * bot answers to first (e.g. `atlantis`). Fixed words ("show atlantis help", "help for atlantis",
 * "Removes all atlantis locks") stay as Atlantis writes them.
 */

const FENCE = '```';

/** `Error: <msg>.` plus the command's flag usage, in a fence (Atlantis `errMarkdown`). */
export function errorWithUsage(message: string, usageName: string, command: CommandName): string {
  return `${FENCE}\nError: ${message}.\nUsage of ${usageName}:\n${flagUsagesWrapped(COMMAND_SPECS[command].flags)}${FENCE}`;
}

/** The reply to `<exe> <command> -h`: the usage without an error line. */
export function commandUsage(command: CommandName): string {
  const spec = COMMAND_SPECS[command];
  return `${FENCE}\nUsage of ${spec.usageName}:\n${flagUsagesWrapped(spec.flags)}\n${FENCE}`;
}

/** The reply to `<exe> unlock` with any flag (unlock takes none). */
export function unlockUsage(exe: string): string {
  return (
    '`Usage of unlock:`\n\n ```cmake\n' +
    `${exe} unlock\n\n` +
    '  Unlocks the entire PR and discards all plans in this PR.\n' +
    '  Arguments or flags are not supported at the moment.\n' +
    '  If you need to unlock a specific project please use the atlantis UI.\n' +
    FENCE
  );
}

export function unknownCommand(word: string, exe: string, allowed: ReadonlySet<CommandName>): string {
  const list = COMMAND_ORDER.filter((c) => allowed.has(c)).join(', ');
  return `${FENCE}\nError: unknown command ${goQuote(word)}.\nRun '${exe} --help' for usage.\nAvailable commands(--allow-commands): ${list}\n${FENCE}`;
}

export function didYouMean(exe: string, typed: string): string {
  return `Did you mean to use \`${exe}\` instead of \`${typed}\`?`;
}

export function parseErrorReply(message: string): string {
  return `${FENCE}\nError parsing command: ${message}\n${FENCE}`;
}

const HELP_SECTIONS: Record<CommandName, string> = {
  plan: "  plan     Runs 'terraform plan' for the changes in this pull request.\n           To plan a specific project, use the -d, -w and -p flags.",
  apply:
    "  apply    Runs 'terraform apply' on all unapplied plans from this pull request.\n           To only apply a specific plan, use the -d, -w and -p flags.",
  cancel: '  cancel   Cancels all queued commands for this pull request.\n           Already running commands are not interrupted.',
  unlock: '  unlock   Removes all atlantis locks and discards all plans for this PR.\n           To unlock a specific plan you can use the Atlantis UI.',
  approve_policies: '  approve_policies\n           Approves all current policy checking failures for the PR.',
  version: "  version  Print the output of 'terraform version'",
  import:
    "  import ADDRESS ID\n           Runs 'terraform import' for the passed address resource.\n           To import a specific project, use the -d, -w and -p flags.",
  state:
    "  state rm ADDRESS...\n           Runs 'terraform state rm' for the passed address resource.\n           To remove a specific project resource, use the -d, -w and -p flags.",
};

/** Order of the sections in the help comment (not the same as the error list). */
const HELP_ORDER: readonly CommandName[] = ['plan', 'apply', 'cancel', 'unlock', 'approve_policies', 'version', 'import', 'state'];

/** The help comment; sections of commands that are not allowed are left out. */
export function helpComment(exe: string, allowed: ReadonlySet<CommandName>): string {
  const examples = [`  # show atlantis help\n  ${exe} help`];
  if (allowed.has('plan')) examples.push(`  # run plan in the root directory passing the -target flag to terraform\n  ${exe} plan -d . -- -target=resource`);
  if (allowed.has('apply')) {
    examples.push(`  # apply all unapplied plans from this pull request\n  ${exe} apply`);
    examples.push(`  # apply the plan for the root directory and staging workspace\n  ${exe} apply -d . -w staging`);
  }
  const sections = HELP_ORDER.filter((c) => allowed.has(c)).map((c) => HELP_SECTIONS[c]);
  sections.push('  help     View help.');
  return [
    `${FENCE}cmake`,
    'atlantis',
    'Terraform Pull Request Automation',
    '',
    'Usage:',
    `  ${exe} <command> [options] -- [terraform options]`,
    '',
    'Examples:',
    examples.join('\n\n'),
    '',
    'Commands:',
    ...sections,
    '',
    'Flags:',
    '  -h, --help   help for atlantis',
    '',
    `Use "${exe} [command] --help" for more information about a command.`,
    FENCE,
  ].join('\n');
}
