import { describe, expect, it } from 'vitest';
import { isRunnable, parseComment, type ParseOptions, type ParsedCommand } from '../../../src/bot/commands/grammar.js';

const OPTS: ParseOptions = { executableNames: ['atlantis', 'atlantas'], botUser: 'atlantas-bot' };
const F = '```';

// Usage blocks written out by hand; PLAN and IMPORT are Atlantis's own test fixtures
// (comment_parser_test.go), which pins pflag's column alignment and 90-column wrapping.
const PLAN_FLAGS = `  -d, --dir string         Which directory to run plan in relative to root of repo,
                           ex. 'child/dir'.
  -p, --project string     Which project to run plan for. Refers to the name of the
                           project configured in a repo config file. Cannot be used
                           at same time as workspace or dir flags.
      --verbose            Append Atlantis log to comment.
  -w, --workspace string   Switch to this Terraform workspace before planning.
`;
const IMPORT_FLAGS = `  -d, --dir string         Which directory to run import in relative to root of
                           repo, ex. 'child/dir'.
  -p, --project string     Which project to run import for. Refers to the name of
                           the project configured in a repo config file. Cannot be
                           used at same time as workspace or dir flags.
      --verbose            Append Atlantis log to comment.
  -w, --workspace string   Switch to this Terraform workspace before importing.
`;
const APPLY_FLAGS = `      --auto-merge-disabled        Disable automerge after apply.
      --auto-merge-method string   Merge method for the automerge after apply:
                                   merge, rebase or squash.
  -d, --dir string                 Apply the plan for this directory, relative to
                                   root of repo, ex. 'child/dir'.
  -p, --project string             Apply the plan for this project. Refers to the
                                   name of the project configured in a repo config
                                   file. Cannot be used at same time as workspace or
                                   dir flags.
      --verbose                    Append Atlantis log to comment.
  -w, --workspace string           Apply the plan for this Terraform workspace.
`;
const STATE_FLAGS = `  -d, --dir string         Which directory to run state command in relative to root
                           of repo, ex. 'child/dir'.
  -p, --project string     Which project to run state command for. Refers to the
                           name of the project configured in a repo config file.
                           Cannot be used at same time as workspace or dir flags.
      --verbose            Append Atlantis log to comment.
  -w, --workspace string   Switch to this Terraform workspace before processing tfstate.
`;

const err = (message: string, usageName: string, flags: string): string => `${F}\nError: ${message}.\nUsage of ${usageName}:\n${flags}${F}`;
const planErr = (message: string): string => err(message, 'plan', PLAN_FLAGS);
const usage = (usageName: string, flags: string): string => `${F}\nUsage of ${usageName}:\n${flags}\n${F}`;
const UNLOCK_USAGE =
  "`Usage of unlock:`\n\n ```cmake\natlantis unlock\n\n  Unlocks the entire PR and discards all plans in this PR.\n  Arguments or flags are not supported at the moment.\n  If you need to unlock a specific project please use the atlantis UI.\n```";
const ALL = 'version, plan, apply, cancel, unlock, approve_policies, import, state';
const unknown = (word: string, list = ALL): string =>
  `${F}\nError: unknown command "${word}".\nRun 'atlantis --help' for usage.\nAvailable commands(--allow-commands): ${list}\n${F}`;
const didYouMean = (typed: string, exe = 'atlantis'): string => `Did you mean to use \`${exe}\` instead of \`${typed}\`?`;

const FULL_HELP = `${F}cmake
atlantis
Terraform Pull Request Automation

Usage:
  atlantis <command> [options] -- [terraform options]

Examples:
  # show atlantis help
  atlantis help

  # run plan in the root directory passing the -target flag to terraform
  atlantis plan -d . -- -target=resource

  # apply all unapplied plans from this pull request
  atlantis apply

  # apply the plan for the root directory and staging workspace
  atlantis apply -d . -w staging

Commands:
  plan     Runs 'terraform plan' for the changes in this pull request.
           To plan a specific project, use the -d, -w and -p flags.
  apply    Runs 'terraform apply' on all unapplied plans from this pull request.
           To only apply a specific plan, use the -d, -w and -p flags.
  cancel   Cancels all queued commands for this pull request.
           Already running commands are not interrupted.
  unlock   Removes all atlantis locks and discards all plans for this PR.
           To unlock a specific plan you can use the Atlantis UI.
  approve_policies
           Approves all current policy checking failures for the PR.
  version  Print the output of 'terraform version'
  import ADDRESS ID
           Runs 'terraform import' for the passed address resource.
           To import a specific project, use the -d, -w and -p flags.
  state rm ADDRESS...
           Runs 'terraform state rm' for the passed address resource.
           To remove a specific project resource, use the -d, -w and -p flags.
  help     View help.

Flags:
  -h, --help   help for atlantis

Use "atlantis [command] --help" for more information about a command.
${F}`;

const PARTIAL_HELP = `${F}cmake
atlantis
Terraform Pull Request Automation

Usage:
  atlantas <command> [options] -- [terraform options]

Examples:
  # show atlantis help
  atlantas help

  # apply all unapplied plans from this pull request
  atlantas apply

  # apply the plan for the root directory and staging workspace
  atlantas apply -d . -w staging

Commands:
  apply    Runs 'terraform apply' on all unapplied plans from this pull request.
           To only apply a specific plan, use the -d, -w and -p flags.
  unlock   Removes all atlantis locks and discards all plans for this PR.
           To unlock a specific plan you can use the Atlantis UI.
  help     View help.

Flags:
  -h, --help   help for atlantis

Use "atlantas [command] --help" for more information about a command.
${F}`;

const EMPTY_HELP = `${F}cmake
atlantis
Terraform Pull Request Automation

Usage:
  atlantis <command> [options] -- [terraform options]

Examples:
  # show atlantis help
  atlantis help

Commands:
  help     View help.

Flags:
  -h, --help   help for atlantis

Use "atlantis [command] --help" for more information about a command.
${F}`;

type Expect = 'ignored' | Partial<ParsedCommand>;
type Case = [comment: string, expected: Expect, options?: Partial<ParseOptions>];

const ok = (command: ParsedCommand['command'], fields: Partial<ParsedCommand> = {}): Partial<ParsedCommand> => ({
  command, dir: '', workspace: '', project: '', extraArgs: [], verbose: false, error: undefined, helpText: undefined, ...fields,
});
const refused = (error: string, command?: ParsedCommand['command']): Partial<ParsedCommand> => ({ command, error, helpText: undefined });
const help = (helpText = FULL_HELP): Partial<ParsedCommand> => ({ command: 'help', helpText, error: undefined });

const CASES: Case[] = [
  // Not addressed to the bot, or not a command: ignored, nothing is posted.
  ['', 'ignored'],
  ['   \n\t ', 'ignored'],
  ['a', 'ignored'],
  ["This shouldn't error, but it does.", 'ignored'],
  ['I think atlantis plan is broken', 'ignored'],
  ['atlantis plan\nbut with newlines', 'ignored'],
  ['terraform plan\nbut with newlines', 'ignored'],
  ['atlantis\nplan', 'ignored'],
  ['atlantis-bot help', 'ignored', { botUser: 'atlantis-bot' }],
  ['@atlantas-bot plan', 'ignored', { botUser: undefined }],
  ['atlantis plan', 'ignored', { commentAuthor: 'atlantas-bot' }],
  ['atlantis plan', 'ignored', { commentAuthor: 'Atlantas-Bot[bot]' }],
  ['atlantis help', 'ignored', { executableNames: ['mybot'] }],
  ['atlantsi plan', 'ignored', { executableNames: ['mybot'] }],
  // Blank lines around a single command are fine (copy and paste from GitHub).
  ['atlantis plan\n', ok('plan')],
  ['atlantis plan\n\n', ok('plan')],
  ['\r\natlantis plan\r\n', ok('plan')],
  // Help.
  ['atlantis', help()],
  ['atlantas', help()],
  ['run', help()],
  ['@atlantas-bot', help()],
  ['@Atlantas-Bot help', help()],
  ['atlantis help', help()],
  ['atlantis --help', help()],
  ['atlantis -h', help()],
  ['atlantis help plan', help()],
  ['atlantis help something else', help()],
  ['ATLANTIS HELP', help()],
  ['atlantas help', help(PARTIAL_HELP), { executableNames: ['atlantas', 'atlantis'], allowCommands: ['unlock', 'apply'] }],
  ['atlantis help', help(EMPTY_HELP), { allowCommands: [] }],
  ['mybot', help(FULL_HELP.replace(/^ {2}atlantis/gm, '  mybot').replace('Use "atlantis', 'Use "mybot')), { executableNames: ['mybot'] }],
  // "Did you mean".
  ['terraform', refused(didYouMean('terraform'))],
  ['terraform plan', refused(didYouMean('terraform'))],
  ['terraform plan -w workspace -d . -- test', refused(didYouMean('terraform'))],
  ['Terraform apply', refused(didYouMean('terraform'))],
  ['terraform plan', refused(didYouMean('terraform', 'mybot')), { executableNames: ['mybot'] }],
  ['atlantsi plan', refused(didYouMean('atlantsi'))],
  ['Atlants plan', refused(didYouMean('Atlants'))],
  ['atlantiss plan -d .', refused(didYouMean('atlantiss'))],
  // Unknown or disallowed commands: the list is always in the fixed order.
  ['atlantis paln', refused(unknown('paln'))],
  ['atlantis appely apply', refused(unknown('appely'))],
  ['atlantis policy_check', refused(unknown('policy_check'))],
  ['atlantis autoplan', refused(unknown('autoplan'))],
  ['atlantis --verbose plan', refused(unknown('--verbose'))],
  ['atlantis import ADDR ID', refused(unknown('import', 'version, plan, apply, unlock')), { allowCommands: ['version', 'unlock', 'apply', 'plan', 'apply'] }],
  ['atlantis state rm a', refused(unknown('state', 'version, plan, cancel')), { allowCommands: ['plan', 'cancel', 'version', 'policy_check'] }],
  ['atlantis cancel', ok('cancel'), { allowCommands: ['plan', 'cancel'] }],
  ['atlantis state rm a', ok('state', { extraArgs: ['a'] }), { allowCommands: ['all'] }],
  // Executable and command are case-insensitive.
  ['ATLANTIS PLAN', ok('plan')],
  ['Atlantas Plan -d dir', ok('plan', { dir: 'dir' })],
  ['atlantis Apply', ok('apply')],
  ['run plan -d x', ok('plan', { dir: 'x' })],
  ['@atlantas-bot apply -p web', ok('apply', { project: 'web' })],
  // Backticks around the comment are trimmed.
  ['`atlantis plan`', ok('plan')],
  ['```atlantis plan -d dir```', ok('plan', { dir: 'dir' })],
  ['```\natlantis plan -w staging\n```', ok('plan', { workspace: 'staging' })],
  // Flags in every form and order.
  ['atlantis plan -w workspace -d dir --verbose', ok('plan', { workspace: 'workspace', dir: 'dir', verbose: true })],
  ['atlantis plan --verbose -p project', ok('plan', { project: 'project', verbose: true })],
  ['atlantis plan --workspace=staging --dir=envs/prod', ok('plan', { workspace: 'staging', dir: 'envs/prod' })],
  ['atlantis plan -wstaging -denvs', ok('plan', { workspace: 'staging', dir: 'envs' })],
  ['atlantis plan -w=staging', ok('plan', { workspace: 'staging' })],
  ['atlantis plan --verbose=false -d .', ok('plan', { dir: '.', verbose: false })],
  ['atlantis version -d dir -w ws', ok('version', { dir: 'dir', workspace: 'ws' })],
  ['atlantis approve_policies --policy-set p1 --clear-policy-approval', ok('approve_policies', { policySet: 'p1', clearPolicyApproval: true })],
  // Unknown flags, with pflag's texts and the command's usage.
  ['atlantis plan -e', refused(planErr("unknown shorthand flag: 'e' in -e"), 'plan')],
  ['atlantis plan --abc', refused(planErr('unknown flag: --abc'), 'plan')],
  ['atlantis plan -d', refused(planErr("flag needs an argument: 'd' in -d"), 'plan')],
  ['atlantis plan --dir', refused(planErr('flag needs an argument: --dir'), 'plan')],
  ['atlantis plan ---x', refused(planErr('bad flag syntax: ---x'), 'plan')],
  ['atlantis plan --verbose=maybe', refused(planErr('invalid argument "maybe" for "--verbose" flag: strconv.ParseBool: parsing "maybe": invalid syntax'), 'plan')],
  ['atlantis plan --auto-merge-disabled', refused(planErr('unknown flag: --auto-merge-disabled'), 'plan')],
  ['atlantis apply -e', refused(err("unknown shorthand flag: 'e' in -e", 'apply', APPLY_FLAGS), 'apply')],
  ['atlantis import --abc ADDR ID', refused(err('unknown flag: --abc', 'import', IMPORT_FLAGS), 'import')],
  ['atlantis state rm --abc', refused(err('unknown flag: --abc', 'state', STATE_FLAGS), 'state')],
  ['atlantis cancel -p x', refused(`${F}\nError: unknown shorthand flag: 'p' in -p.\nUsage of cancel:\n${F}`, 'cancel')],
  // Usage on request: no "Error:".
  ['atlantis plan -h', { command: 'plan', helpText: usage('plan', PLAN_FLAGS), error: undefined }],
  ['atlantis apply --help', { command: 'apply', helpText: usage('apply', APPLY_FLAGS), error: undefined }],
  ['atlantis import -h', { command: 'import', helpText: usage('import ADDRESS ID', IMPORT_FLAGS), error: undefined }],
  ['atlantis state --help', { command: 'state', helpText: usage('state [rm ADDRESS...]', STATE_FLAGS), error: undefined }],
  ['atlantis unlock -h', { command: 'unlock', helpText: UNLOCK_USAGE, error: undefined }],
  // Stray positional arguments (only those before `--` count), with the en dash.
  ['atlantis plan -d . arg', refused(planErr('unknown argument(s) – arg'), 'plan')],
  ['atlantis plan arg -d .', refused(planErr('unknown argument(s) – arg'), 'plan')],
  ['atlantis plan arg arg2', refused(planErr('unknown argument(s) – arg arg2'), 'plan')],
  ['atlantis plan -d . arg -w kjj arg2', refused(planErr('unknown argument(s) – arg arg2'), 'plan')],
  ['atlantis apply arg arg2 -- useful', refused(err('unknown argument(s) – arg arg2', 'apply', APPLY_FLAGS), 'apply')],
  ['atlantis import arg1 arg2 arg3 --', refused(err('unknown argument(s) – arg1 arg2 arg3', 'import ADDRESS ID', IMPORT_FLAGS), 'import')],
  ['atlantis unlock foo', refused(`${F}\nError: unknown argument(s) – foo.\nUsage of unlock:\n${F}`, 'unlock')],
  // unlock takes no flags.
  ['atlantis unlock', ok('unlock')],
  ['atlantis unlock -d .', refused(UNLOCK_USAGE, 'unlock')],
  ['atlantis unlock --verbose', refused(UNLOCK_USAGE, 'unlock')],
  ['atlantas unlock -p x', refused(UNLOCK_USAGE, 'unlock'), { executableNames: ['atlantis', 'atlantas'] }],
  // -p cannot be combined with -d/-w, even with their default values.
  ['atlantis plan -w workspace -p project', refused(planErr('cannot use -p/--project at same time as -d/--dir or -w/--workspace'), 'plan')],
  ['atlantis plan -d dir -p project', refused(planErr('cannot use -p/--project at same time as -d/--dir or -w/--workspace'), 'plan')],
  ['atlantis plan -p x -d . -w default', refused(planErr('cannot use -p/--project at same time as -d/--dir or -w/--workspace'), 'plan')],
  // Dirs are cleaned and made relative; escaping the repo is refused.
  ['atlantis plan -d /', ok('plan', { dir: '.' })],
  ['atlantis plan -d /adir', ok('plan', { dir: 'adir' })],
  ['atlantis plan -d ./', ok('plan', { dir: '.' })],
  ['atlantis plan -d ./adir/', ok('plan', { dir: 'adir' })],
  ['atlantis plan -d a//b/./c', ok('plan', { dir: 'a/b/c' })],
  ['atlantis plan -d /..', ok('plan', { dir: '.' })],
  ['atlantis plan -d "dir with space"', ok('plan', { dir: 'dir with space' })],
  ['atlantis plan -d ../..', refused(planErr('using a relative path "../.." with -d/--dir is not allowed'), 'plan')],
  ['atlantis plan -d a/b/../../..', refused(planErr('using a relative path "a/b/../../.." with -d/--dir is not allowed'), 'plan')],
  ['atlantis import -d .. address id', refused(err('using a relative path ".." with -d/--dir is not allowed', 'import', IMPORT_FLAGS), 'import')],
  // Globs.
  ['atlantis plan -d "modules/*"', ok('plan', { dir: 'modules/*', isGlob: true })],
  ['atlantis plan -d ./envs/**/prod', ok('plan', { dir: 'envs/**/prod', isGlob: true })],
  ['atlantis plan -d /stacks/? -w staging', ok('plan', { dir: 'stacks/?', workspace: 'staging', isGlob: true })],
  ['atlantis plan -d envs/[ab]/x', ok('plan', { dir: 'envs/[ab]/x', isGlob: true })],
  ['atlantis plan -d "../*"', refused(planErr(`using '..' in glob pattern "../*" with -d/--dir is not allowed`), 'plan')],
  ['atlantis plan -d "envs/[a"', refused(planErr('invalid glob pattern "envs/[a" with -d/--dir'), 'plan')],
  ['atlantis plan -d "envs/{a,b*"', refused(planErr('invalid glob pattern "envs/{a,b*" with -d/--dir'), 'plan')],
  // Workspaces: every reason of the repo-config validator; shell metacharacters are fine.
  ['atlantis plan -w ..', refused(planErr(`invalid workspace "..": cannot contain '..'`), 'plan')],
  ['atlantis plan -w /', refused(planErr(`invalid workspace "/": cannot contain '/' or '\\'`), 'plan')],
  ['atlantis plan -w ../../../etc/passwd', refused(planErr(`invalid workspace "../../../etc/passwd": cannot contain '/' or '\\'`), 'plan')],
  ['atlantis plan -w abc..abc', refused(planErr(`invalid workspace "abc..abc": cannot contain '..'`), 'plan')],
  ['atlantis plan -w .', refused(planErr(`invalid workspace ".": cannot be '.'`), 'plan')],
  ['atlantis plan -w -x', refused(planErr(`invalid workspace "-x": cannot start with '-'`), 'plan')],
  ['atlantis plan -w ~x', refused(planErr(`invalid workspace "~x": cannot start with '~'`), 'plan')],
  ['atlantis plan -w $HOME', refused(planErr(`invalid workspace "$HOME": cannot contain '$'`), 'plan')],
  ['atlantis plan -w "a b"', refused(planErr('invalid workspace "a b": cannot contain whitespace or control characters'), 'plan')],
  ['atlantis plan -w "a;id"', ok('plan', { workspace: 'a;id' })],
  ['atlantis plan -w a&&id', ok('plan', { workspace: 'a&&id' })],
  // Extra args after `--`: shell-like tokens, quotes removed, metacharacters literal.
  ["atlantis plan -- -var 'x=a;rm -rf /'", ok('plan', { extraArgs: ['-var', 'x=a;rm -rf /'] })],
  ['atlantis plan -d . -- $(id) `id` && echo pwned | cat > /etc/x', ok('plan', { dir: '.', extraArgs: ['$(id)', '`id`', '&&', 'echo', 'pwned', '|', 'cat', '>', '/etc/x'] })],
  ['atlantis plan -- -target="aws_instance.web[\\"a\\"]"', ok('plan', { extraArgs: ['-target=aws_instance.web["a"]'] })],
  ["atlantis plan -- 'it'\"'\"'s' a\\ b ''", ok('plan', { extraArgs: ["it's", 'a b', ''] })],
  ['atlantis plan -w workspace -d dir --verbose -- arg one -two --three &&', ok('plan', { workspace: 'workspace', dir: 'dir', verbose: true, extraArgs: ['arg', 'one', '-two', '--three', '&&'] })],
  ['atlantis plan\t-w\tworkspace\t--\targ\tone', ok('plan', { workspace: 'workspace', extraArgs: ['arg', 'one'] })],
  ['atlantis plan -w workspace -- -d dir --verbose', ok('plan', { workspace: 'workspace', extraArgs: ['-d', 'dir', '--verbose'] })],
  ['atlantis plan --', ok('plan', { extraArgs: [] })],
  ['atlantis plan -d dir # not part of the command', ok('plan', { dir: 'dir' })],
  ["atlantis plan -- 'x", refused(`${F}\nError parsing command: EOF found when expecting closing quote\n${F}`)],
  ['atlantis plan -- "x\\"', refused(`${F}\nError parsing command: EOF found when expecting closing quote\n${F}`)],
  ['atlantis plan -- x\\', refused(`${F}\nError parsing command: EOF found after escape character\n${F}`)],
  // Extra args pass through as written: blocked ones are refused by core for every caller
  // (test/core/runs/extra-args.test.ts), not by the grammar.
  ['atlantis plan -- -chdir=../other', ok('plan', { extraArgs: ['-chdir=../other'], commentArgs: ['-chdir=../other'] })],
  ['atlantis plan -- --plugin-dir /tmp', ok('plan', { extraArgs: ['--plugin-dir', '/tmp'], commentArgs: ['--plugin-dir', '/tmp'] })],
  ['atlantis plan -chdir=x', refused(planErr("unknown shorthand flag: 'c' in -chdir=x"), 'plan')],
  ['atlantis plan --chdir=x', refused(planErr('unknown flag: --chdir'), 'plan')],
  // import ADDRESS ID and state rm ADDRESS...: extraArgs is the argv tail (after `--` first).
  ["atlantis import 'some[\"addr\"]' id", ok('import', { extraArgs: ['some["addr"]', 'id'], importArgs: { address: 'some["addr"]', id: 'id' } })],
  ['atlantis import ADDR ID -- -var foo=bar', ok('import', { extraArgs: ['-var', 'foo=bar', 'ADDR', 'ID'], commentArgs: ['-var', 'foo=bar'] })],
  ['atlantis import -d dir ADDR -w ws ID', ok('import', { dir: 'dir', workspace: 'ws', extraArgs: ['ADDR', 'ID'] })],
  ['atlantis import ADDR', refused(err('missing argument(s) – expected ADDRESS ID', 'import ADDRESS ID', IMPORT_FLAGS), 'import')],
  ["atlantis state rm 'some[\"addr\"]'", ok('state', { subCommand: 'rm', extraArgs: ['some["addr"]'], stateRmAddresses: ['some["addr"]'] })],
  ['atlantis state -d dir rm a b -- -lock=false', ok('state', { dir: 'dir', extraArgs: ['-lock=false', 'a', 'b'], stateRmAddresses: ['a', 'b'] })],
  ['atlantis state', refused(err('subcommand required', 'state', STATE_FLAGS), 'state')],
  ['atlantis state list', refused(err('invalid subcommand list (not rm)', 'state', STATE_FLAGS), 'state')],
  ['atlantis state rm', refused(err('missing argument(s) – expected at least one ADDRESS', 'state [rm ADDRESS...]', STATE_FLAGS), 'state')],
  // Automerge flags of apply.
  ['atlantis apply --auto-merge-disabled', ok('apply', { autoMergeDisabled: true, autoMergeMethod: '' })],
  ['atlantis apply -p web --auto-merge-method squash', ok('apply', { project: 'web', autoMergeMethod: 'squash' })],
  ['atlantis apply --auto-merge-method squash --auto-merge-disabled', refused(err('cannot use --auto-merge-method at the same time as --auto-merge-disabled', 'apply', APPLY_FLAGS), 'apply')],
  ['atlantis apply --auto-merge-method fast', refused(err('invalid --auto-merge-method "fast": use merge, rebase or squash', 'apply', APPLY_FLAGS), 'apply')],
];

describe('parseComment', () => {
  it('has a broad table', () => expect(CASES.length).toBeGreaterThanOrEqual(90));

  it.each(CASES)('%j', (comment, expected, options) => {
    const parsed = parseComment(comment, { ...OPTS, ...options });
    if (expected === 'ignored') expect(parsed).toEqual({ ignored: true });
    else expect(parsed).toMatchObject({ ignored: false, ...expected });
  });

  it('returns the exact shape for a plain plan, with unset flags as empty strings', () => {
    expect(parseComment('atlantis plan', { executableNames: ['atlantis', 'atlantas'] })).toEqual({
      ignored: false, command: 'plan', dir: '', workspace: '', project: '', extraArgs: [], verbose: false, error: undefined,
      helpText: undefined, commentArgs: [], executableName: 'atlantis', isGlob: false, subCommand: undefined, importArgs: undefined,
      stateRmAddresses: undefined, autoMergeDisabled: false, autoMergeMethod: '', policySet: '', clearPolicyApproval: false,
    });
  });

  it('marks only real commands as runnable', () => {
    const run = (text: string): boolean => isRunnable(parseComment(text, OPTS));
    expect(run('atlantis apply -d .')).toBe(true);
    expect(run('atlantis unlock')).toBe(true);
    expect([run('atlantis help'), run('atlantis plan -h'), run('atlantis paln'), run('hello'), run('atlantis plan -e')]).toEqual([false, false, false, false, false]);
  });
});
