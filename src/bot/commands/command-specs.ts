import type { FlagSpec } from './flag-parser.js';

/** The commands a comment can run (besides `help`). `state` has the one sub-command `rm`. */
export type CommandName = 'plan' | 'apply' | 'unlock' | 'cancel' | 'approve_policies' | 'import' | 'state' | 'version';

/**
 * Every comment command in Atlantis's fixed order. The "Available commands" list of the
 * unknown-command reply always follows this order, whatever order the allow-list was given in.
 */
export const COMMAND_ORDER: readonly CommandName[] = ['version', 'plan', 'apply', 'cancel', 'unlock', 'approve_policies', 'import', 'state'];

/** Allowed when the caller does not pass `allowCommands`. */
export const DEFAULT_ALLOW_COMMANDS: readonly CommandName[] = ['version', 'plan', 'apply', 'unlock', 'approve_policies', 'cancel', 'import', 'state'];

/** Positional arguments (before `--`) a command takes after its sub-command. */
export interface ArgRule {
  min: number;
  max: number;
  /** Shown when too few were given. */
  missing: string;
}

export interface CommandSpec {
  flags: FlagSpec[];
  /** The name in usage headers for argument errors and `-h` ("import ADDRESS ID"). */
  usageName: string;
  subCommands?: string[];
  args: ArgRule;
}

const NO_ARGS: ArgRule = { min: 0, max: 0, missing: '' };
const VERBOSE: FlagSpec = { name: 'verbose', kind: 'bool', usage: 'Append Atlantis log to comment.' };
const PROJECT_NOTE = 'Refers to the name of the project configured in a repo config file. Cannot be used at same time as workspace or dir flags.';

function targetFlags(dir: string, project: string, workspace: string): FlagSpec[] {
  return [
    { name: 'dir', short: 'd', kind: 'string', usage: dir },
    { name: 'project', short: 'p', kind: 'string', usage: project },
    { name: 'workspace', short: 'w', kind: 'string', usage: workspace },
    VERBOSE,
  ];
}

export const COMMAND_SPECS: Record<CommandName, CommandSpec> = {
  plan: {
    usageName: 'plan',
    args: NO_ARGS,
    flags: targetFlags(
      "Which directory to run plan in relative to root of repo, ex. 'child/dir'.",
      `Which project to run plan for. ${PROJECT_NOTE}`,
      'Switch to this Terraform workspace before planning.',
    ),
  },
  apply: {
    usageName: 'apply',
    args: NO_ARGS,
    flags: [
      ...targetFlags(
        "Apply the plan for this directory, relative to root of repo, ex. 'child/dir'.",
        `Apply the plan for this project. ${PROJECT_NOTE}`,
        'Apply the plan for this Terraform workspace.',
      ),
      { name: 'auto-merge-disabled', kind: 'bool', usage: 'Disable automerge after apply.' },
      { name: 'auto-merge-method', kind: 'string', usage: 'Merge method for the automerge after apply: merge, rebase or squash.' },
    ],
  },
  approve_policies: {
    usageName: 'approve_policies',
    args: NO_ARGS,
    flags: [
      ...targetFlags(
        "Approve policies for this directory, relative to root of repo, ex. 'child/dir'.",
        `Approve policies for this project. ${PROJECT_NOTE}`,
        'Approve policies for this Terraform workspace.',
      ),
      { name: 'policy-set', kind: 'string', usage: 'Approve only the failures of this policy set.' },
      { name: 'clear-policy-approval', kind: 'bool', usage: 'Clear any existing policy approvals.' },
    ],
  },
  import: {
    usageName: 'import ADDRESS ID',
    args: { min: 2, max: 2, missing: 'expected ADDRESS ID' },
    flags: targetFlags(
      "Which directory to run import in relative to root of repo, ex. 'child/dir'.",
      `Which project to run import for. ${PROJECT_NOTE}`,
      'Switch to this Terraform workspace before importing.',
    ),
  },
  state: {
    usageName: 'state [rm ADDRESS...]',
    subCommands: ['rm'],
    args: { min: 1, max: Number.POSITIVE_INFINITY, missing: 'expected at least one ADDRESS' },
    flags: targetFlags(
      "Which directory to run state command in relative to root of repo, ex. 'child/dir'.",
      `Which project to run state command for. ${PROJECT_NOTE}`,
      'Switch to this Terraform workspace before processing tfstate.',
    ),
  },
  version: {
    usageName: 'version',
    args: NO_ARGS,
    flags: targetFlags(
      "Which directory to run version in relative to root of repo, ex. 'child/dir'.",
      'Print the version for this project. Refers to the name of the project configured in a repo config file.',
      'Switch to this Terraform workspace before running version.',
    ),
  },
  unlock: { usageName: 'unlock', args: NO_ARGS, flags: [] },
  cancel: { usageName: 'cancel', args: NO_ARGS, flags: [] },
};

export function isCommandName(word: string): word is CommandName {
  return (COMMAND_ORDER as readonly string[]).includes(word);
}

/**
 * Normalises a configured allow-list: unknown names (including the internal `policy_check` and
 * `autoplan`) are dropped, `all` means every command, duplicates collapse.
 */
export function normaliseAllowCommands(allow: readonly string[] | undefined): Set<CommandName> {
  const names = (allow ?? DEFAULT_ALLOW_COMMANDS).map((c) => c.trim().toLowerCase());
  if (names.includes('all')) return new Set(COMMAND_ORDER);
  return new Set(COMMAND_ORDER.filter((c) => names.includes(c)));
}
