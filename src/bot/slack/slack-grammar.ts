import { COMMAND_SPECS } from '../commands/command-specs.js';
import { parseFlags } from '../commands/flag-parser.js';
import { validate } from '../commands/grammar.js';
import { emptyCommand } from '../commands/parsed-comment.js';
import { ShlexError, shlexSplit } from '../commands/shlex.js';
import { errorWithUsage, parseErrorReply } from '../commands/usage.js';

/**
 * `/atlantas <text>` → a SlackCommand. Pure. `plan` takes the PR comments' flags, texts and
 * checks (-d, -w, -p, `--` extra args, through the shared grammar) plus the one thing Slack needs
 * and a PR does not: the target `owner/repo[#PR]`. The other commands name a run or a lock by id.
 */
export type SlackCommand =
  | { kind: 'help'; unknown?: string }
  | { kind: 'whoami' }
  | { kind: 'link'; code: string }
  | { kind: 'plan'; repo: string; pr: number | null; dir: string; workspace: string; project: string; extraArgs: string[] }
  | { kind: 'apply' | 'discard'; runId: string }
  | { kind: 'status'; runId: string | null }
  | { kind: 'runs' | 'drift'; project: string | null }
  | { kind: 'locks' }
  | { kind: 'unlock'; lockId: string }
  | { kind: 'incident'; incident: string | null }
  | { kind: 'error'; text: string };

export type SlackCommandKind = SlackCommand['kind'];

/** The commands someone Atlantas does not know yet may run. */
export const ANONYMOUS_COMMANDS: readonly SlackCommandKind[] = ['help', 'link', 'error'];

const TARGET = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)(?:#(\d{1,9}))?$/;
const FENCE = '```';

type Arity = { name: SlackCommandKind; arg?: string; optional?: boolean };
const SIMPLE: Record<string, Arity> = {
  whoami: { name: 'whoami' },
  locks: { name: 'locks' },
  link: { name: 'link', arg: 'CODE' },
  apply: { name: 'apply', arg: 'RUN_ID' },
  discard: { name: 'discard', arg: 'RUN_ID' },
  unlock: { name: 'unlock', arg: 'LOCK_ID' },
  status: { name: 'status', arg: 'RUN_ID', optional: true },
  runs: { name: 'runs', arg: 'PROJECT', optional: true },
  drift: { name: 'drift', arg: 'PROJECT', optional: true },
  incident: { name: 'incident', arg: 'INCIDENT', optional: true },
};

export function parseSlackCommand(text: string): SlackCommand {
  let words: string[];
  try {
    words = shlexSplit(text.trim());
  } catch (err) {
    if (err instanceof ShlexError) return { kind: 'error', text: parseErrorReply(err.message) };
    throw err;
  }
  const [first, ...rest] = words;
  const word = first?.toLowerCase();
  if (!word || word === 'help' || word === '-h' || word === '--help') return { kind: 'help' };
  if (word === 'plan') return parsePlan(rest);
  const simple = SIMPLE[word];
  if (!simple) return { kind: 'help', unknown: first };
  return parseSimple(simple, rest);
}

function parseSimple(spec: Arity, args: string[]): SlackCommand {
  const usage = `/atlantas ${spec.name}${spec.arg ? (spec.optional ? ` [${spec.arg}]` : ` ${spec.arg}`) : ''}`;
  const max = spec.arg ? 1 : 0;
  const min = spec.arg && !spec.optional ? 1 : 0;
  if (args.length > max) return usageError(`unknown argument(s) – ${args.slice(max).join(' ')}`, usage);
  if (args.length < min) return usageError(`missing argument(s) – expected ${spec.arg}`, usage);
  const arg = args[0] ?? null;
  switch (spec.name) {
    case 'link': return { kind: 'link', code: arg! };
    case 'apply': case 'discard': return { kind: spec.name, runId: arg! };
    case 'unlock': return { kind: 'unlock', lockId: arg! };
    case 'status': return { kind: 'status', runId: arg };
    case 'runs': case 'drift': return { kind: spec.name, project: arg };
    case 'incident': return { kind: 'incident', incident: arg };
    default: return { kind: spec.name as 'whoami' | 'locks' };
  }
}

function parsePlan(words: string[]): SlackCommand {
  const usageName = 'plan <owner/repo>[#PR]';
  const flags = parseFlags(COMMAND_SPECS.plan.flags, words);
  if (flags.kind === 'help') return { kind: 'help' };
  if (flags.kind === 'error') return { kind: 'error', text: errorWithUsage(flags.message, usageName, 'plan') };
  const dash = flags.argsLenAtDash;
  const positional = dash === -1 ? flags.args : flags.args.slice(0, dash);
  const extraArgs = dash === -1 ? [] : flags.args.slice(dash);
  if (positional.length === 0) return { kind: 'error', text: errorWithUsage('missing argument(s) – expected <owner/repo>[#PR]', usageName, 'plan') };
  if (positional.length > 1) return { kind: 'error', text: errorWithUsage(`unknown argument(s) – ${positional.slice(1).join(' ')}`, usageName, 'plan') };
  const target = TARGET.exec(positional[0]);
  if (!target || target[1].split('/').some((p) => p === '.' || p === '..')) {
    return { kind: 'error', text: errorWithUsage(`invalid target "${positional[0]}": expected owner/repo or owner/repo#PR`, usageName, 'plan') };
  }
  const str = (name: string) => (typeof flags.values[name] === 'string' ? (flags.values[name] as string) : '');
  const checked = { ...emptyCommand('/atlantas', 'plan'), dir: str('dir'), workspace: str('workspace'), project: str('project') };
  const problem = validate(checked, flags.values);
  if (problem !== undefined) return { kind: 'error', text: errorWithUsage(problem, usageName, 'plan') };
  return {
    kind: 'plan', repo: target[1], pr: target[2] ? Number(target[2]) : null,
    dir: checked.dir, workspace: checked.workspace, project: checked.project, extraArgs,
  };
}

function usageError(message: string, usage: string): SlackCommand {
  return { kind: 'error', text: `${FENCE}\nError: ${message}.\nUsage: ${usage}\n${FENCE}` };
}

/** The `/atlantas help` text (Slack mrkdwn). */
export function slackHelp(unknown?: string): string {
  const head = unknown ? `Unknown command \`${unknown}\`. ` : '';
  return [
    `${head}*Atlantas* runs Terraform for you from Slack, with the same rules as on pull requests.`,
    FENCE,
    '/atlantas plan <owner/repo>[#PR] [-d dir] [-w workspace] [-p project] [-- terraform args]',
    '                         plan; the card in the channel has Approve apply and Discard',
    '/atlantas apply <run id>     apply a planned run (the Approve apply button does the same)',
    '/atlantas discard <run id>   discard a planned run and release its lock',
    '/atlantas status [run id]    a run, or the latest one',
    '/atlantas runs [project]     recent runs',
    '/atlantas locks              project locks held now',
    '/atlantas unlock <lock id>   release a lock and discard the plans under it',
    '/atlantas drift [project]    drift of your projects',
    '/atlantas incident [id]      unresolved incidents, or one (INC-00000001) and its latest timeline',
    '/atlantas whoami             who Atlantas thinks you are',
    '/atlantas link <code>        link this Slack account (code from POST /api/v1/users/me/slack-link)',
    '/atlantas help               this text',
    FENCE,
  ].join('\n');
}
