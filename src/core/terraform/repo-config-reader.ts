/**
 * Reads a parsed YAML document node by node, remembering for every value its path
 * (`projects[1].dir`) and its line, so that each problem in `atlantis.yaml` is reported as
 * `atlantis.yaml line 7: projects[1].dir: <what is wrong and how to fix it>`. Messages say what
 * was expected and what kind of value was found, never the value (see repo-file-text.ts). Pure: no I/O.
 */
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { InputError } from '../errors.js';
import { isNameable, pathSegment, yamlErrorText } from './repo-file-text.js';

export const REPO_CONFIG_INVALID = 'repo_config_invalid';
/** Aliases resolved per file: bounds the work a hostile file of nested aliases can cause. */
const MAX_ALIASES = 1000;

/** A value from the file: the node (null when absent or `~`), its path and its 1-based line. */
export interface Located {
  readonly node: Node | null;
  readonly path: string;
  readonly line: number | null;
}

export class ConfigReader {
  private aliases = 0;

  private constructor(
    private readonly fileName: string,
    private readonly doc: Document,
    private readonly lines: LineCounter | null,
  ) {}

  /** Parses YAML text; a syntax error is reported with its line like any other problem. */
  static parse(text: string, fileName: string): { reader: ConfigReader; root: Located } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
    const reader = new ConfigReader(fileName, doc, lines);
    const syntax = doc.errors[0];
    if (syntax) {
      const line = syntax.linePos?.[0].line ?? null;
      reader.fail({ node: null, path: '', line }, `invalid YAML: ${yamlErrorText(syntax)}`);
    }
    return { reader, root: reader.locate(doc.contents as Node | null, '', 1) };
  }

  fail(at: Located, problem: string): never {
    const where = at.line === null ? this.fileName : `${this.fileName} line ${at.line}`;
    const message = [where, at.path, problem].filter(Boolean).join(': ');
    throw new InputError(message, { code: REPO_CONFIG_INVALID, issues: [{ path: at.path, message: problem }] });
  }

  /** A mapping's values by key. Null counts as an empty mapping; a key outside `allowed` (unless null) is an error. */
  entries(at: Located, allowed: readonly string[] | null): Map<string, Located> {
    const out = new Map<string, Located>();
    if (at.node === null) return out;
    if (!isMap(at.node)) this.fail(at, `must be a mapping${allowed ? ` of ${allowed.join(', ')}` : ''}, not ${describe(at.node)}`);
    const merged: Node[] = [];
    for (const pair of at.node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      const keyAt = this.locate(keyNode, at.path, at.line);
      if (key === '<<') {
        merged.push(...this.mergeSources(this.locate(pair.value as Node | null, at.path, keyAt.line)));
        continue;
      }
      if (allowed && !allowed.includes(key)) {
        this.fail(keyAt, `${unknownKey(key)}; allowed keys are: ${allowed.join(', ')}`);
      }
      out.set(key, this.locate(pair.value as Node | null, join(at.path, key), keyAt.line));
    }
    for (const source of merged) {
      for (const [key, value] of this.entries(this.locate(source, at.path, at.line), allowed)) {
        if (!out.has(key)) out.set(key, value);
      }
    }
    return out;
  }

  /** A list's items. Null counts as an empty list. */
  items(at: Located): Located[] {
    if (at.node === null) return [];
    if (!isSeq(at.node)) this.fail(at, `must be a list, not ${describe(at.node)}`);
    return at.node.items.map((item, i) => this.locate(item as Node | null, `${at.path}[${i}]`, at.line));
  }

  /** A scalar as text, exactly as written (`1.10` stays "1.10"). */
  text(at: Located): string {
    if (!isScalar(at.node) || at.node.value === null) this.fail(at, `must be a text value, not ${describe(at.node)}`);
    return typeof at.node.value === 'string' ? at.node.value : (at.node.source ?? String(at.node.value));
  }

  texts(at: Located): string[] {
    return this.items(at).map((item) => this.text(item));
  }

  bool(at: Located): boolean {
    if (!isScalar(at.node) || typeof at.node.value !== 'boolean') this.fail(at, `must be true or false, not ${describe(at.node)}`);
    return at.node.value;
  }

  int(at: Located): number {
    const value = isScalar(at.node) ? at.node.value : undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(at, `must be a whole number, not ${describe(at.node)}`);
    return value;
  }

  oneOf<T extends string>(at: Located, allowed: readonly T[]): T {
    const value = this.text(at);
    if (!(allowed as readonly string[]).includes(value)) this.fail(at, `must be one of: ${allowed.join(', ')}`);
    return value as T;
  }

  /** The kind of value, for fields that take several shapes (workflow steps). */
  kind(at: Located): 'map' | 'list' | 'scalar' | 'null' {
    if (at.node === null || (isScalar(at.node) && at.node.value === null)) return 'null';
    return isMap(at.node) ? 'map' : isSeq(at.node) ? 'list' : 'scalar';
  }

  /** A mapping's keys with their locations (for one-key step forms). */
  keys(at: Located): Located[] {
    if (!isMap(at.node)) this.fail(at, `must be a mapping, not ${describe(at.node)}`);
    return at.node.items.map((pair) => this.locate(pair.key as Node | null, at.path, at.line));
  }

  private mergeSources(at: Located): Node[] {
    const sources = isSeq(at.node) ? at.node.items.map((n) => this.locate(n as Node, at.path, at.line).node) : [at.node];
    if (sources.some((n) => !isMap(n))) this.fail(at, '"<<" must merge a mapping (an alias like *defaults)');
    return sources as Node[];
  }

  private locate(node: Node | null, path: string, fallbackLine: number | null): Located {
    const line = node?.range && this.lines ? this.lines.linePos(node.range[0]).line : fallbackLine;
    if (!isAlias(node)) return { node: node ?? null, path, line };
    if (++this.aliases > MAX_ALIASES) this.fail({ node, path, line }, `more than ${MAX_ALIASES} aliases; simplify the file`);
    return { node: (node.resolve(this.doc) as Node | undefined) ?? null, path, line };
  }
}

function join(path: string, key: string): string {
  const segment = pathSegment(key);
  return path ? `${path}.${segment}` : segment;
}

/** `unknown key "worksapce"`, or `an unknown key` when the key is not a plain identifier. */
export function unknownKey(key: string): string {
  return isNameable(key) ? `unknown key "${key}"` : 'an unknown key';
}

/** The kind of value found, never the value. */
function describe(node: Node | null): string {
  if (node === null) return 'empty';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (!isScalar(node)) return 'an unsupported value';
  const value = node.value;
  if (value === null) return 'empty';
  if (typeof value === 'boolean') return 'true or false';
  if (typeof value === 'number' || typeof value === 'bigint') return Number.isInteger(Number(value)) ? 'a whole number' : 'a number with a fraction';
  return 'a text value';
}

// ---- workflows: `workflows.<name>.plan|apply.steps` (Atlantis raw/step.go, the forms Atlantas runs)

export type RunOutput = 'show' | 'hide' | 'strip_refreshing';
export type WorkflowStep =
  | { kind: 'init' | 'plan' | 'apply'; extraArgs: string[] }
  | { kind: 'run'; command: string; output: RunOutput; shell: string | null; shellArgs: string[] }
  | { kind: 'env'; name: string; value?: string; command?: string };
export interface Workflow {
  plan: WorkflowStep[];
  apply: WorkflowStep[];
}

export const DEFAULT_PLAN_STEPS: readonly WorkflowStep[] = [{ kind: 'init', extraArgs: [] }, { kind: 'plan', extraArgs: [] }];
export const DEFAULT_APPLY_STEPS: readonly WorkflowStep[] = [{ kind: 'apply', extraArgs: [] }];
export const DEFAULT_WORKFLOW: Workflow = { plan: [...DEFAULT_PLAN_STEPS], apply: [...DEFAULT_APPLY_STEPS] };

const BUILTIN = ['init', 'plan', 'apply'] as const;
const STEP_HINT = 'use init, plan, apply, {run: "command"} or {env: {name, value}}';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `workflows:`, each with `plan` and `apply` stages; a stage left out runs the default steps. */
export function readWorkflows(reader: ConfigReader, at: Located): Record<string, Workflow> {
  const out: [string, Workflow][] = [];
  for (const [name, workflow] of reader.entries(at, null)) {
    const stages = reader.entries(workflow, ['plan', 'apply']);
    const stage = (key: string, fallback: readonly WorkflowStep[]): WorkflowStep[] => {
      const s = stages.get(key);
      return s && reader.kind(s) !== 'null' ? readSteps(reader, reader.entries(s, ['steps']).get('steps')) : [...fallback];
    };
    out.push([name, { plan: stage('plan', DEFAULT_PLAN_STEPS), apply: stage('apply', DEFAULT_APPLY_STEPS) }]);
  }
  return Object.fromEntries(out);
}

function readSteps(reader: ConfigReader, at: Located | undefined): WorkflowStep[] {
  return at ? reader.items(at).map((item) => readStep(reader, item)) : [];
}

function readStep(reader: ConfigReader, at: Located): WorkflowStep {
  const kind = reader.kind(at);
  if (kind === 'scalar') {
    const name = reader.text(at);
    if (!(BUILTIN as readonly string[]).includes(name)) reader.fail(at, `is not a step Atlantas runs; ${STEP_HINT}`);
    return { kind: name as (typeof BUILTIN)[number], extraArgs: [] };
  }
  if (kind !== 'map') reader.fail(at, `a step must be a name or a one-key mapping; ${STEP_HINT}`);
  const keys = reader.keys(at).map((k) => reader.text(k));
  if (keys.length !== 1) reader.fail(at, `a step has exactly one key, found ${keys.length}: ${keys.map(stepKeyName).join(', ')}`);
  const key = keys[0];
  const value = reader.entries(at, [key]).get(key)!;
  if (key === 'run') return readRun(reader, value);
  if (key === 'env') return readEnv(reader, value);
  if (!(BUILTIN as readonly string[]).includes(key)) reader.fail(at, `${isNameable(key) ? `"${key}"` : 'the key'} is not a step Atlantas runs; ${STEP_HINT}`);
  const extra = reader.entries(value, ['extra_args']).get('extra_args');
  return { kind: key as (typeof BUILTIN)[number], extraArgs: extra ? reader.texts(extra) : [] };
}

function readRun(reader: ConfigReader, at: Located): WorkflowStep {
  if (reader.kind(at) === 'scalar') return { kind: 'run', command: nonEmpty(reader, at), output: 'show', shell: null, shellArgs: [] };
  const e = reader.entries(at, ['command', 'output', 'shell', 'shell_args']);
  const command = e.get('command');
  if (!command) reader.fail(at, 'a run step needs a command: {run: "command"} or {run: {command: "..."}}');
  const output = e.get('output');
  const shell = e.get('shell');
  const shellArgs = e.get('shell_args');
  return {
    kind: 'run',
    command: nonEmpty(reader, command),
    output: output ? reader.oneOf(output, ['show', 'hide', 'strip_refreshing'] as const) : 'show',
    shell: shell ? nonEmpty(reader, shell) : null,
    shellArgs: !shellArgs ? [] : reader.kind(shellArgs) === 'list' ? reader.texts(shellArgs) : reader.text(shellArgs).split(/\s+/),
  };
}

function readEnv(reader: ConfigReader, at: Located): WorkflowStep {
  const e = reader.entries(at, ['name', 'value', 'command']);
  const name = e.get('name');
  if (!name) reader.fail(at, 'an env step needs a name: {env: {name: VAR, value: "..."}}');
  const varName = reader.text(name);
  if (!ENV_NAME.test(varName)) reader.fail(name, 'is not a valid environment variable name: use letters, digits and _, not starting with a digit');
  const value = e.get('value');
  const command = e.get('command');
  if (!value === !command) reader.fail(at, 'an env step needs exactly one of value or command');
  return value ? { kind: 'env', name: varName, value: reader.text(value) } : { kind: 'env', name: varName, command: nonEmpty(reader, command!) };
}

function stepKeyName(key: string): string {
  return isNameable(key) ? key : '(a key not shown)';
}

function nonEmpty(reader: ConfigReader, at: Located): string {
  const text = reader.text(at);
  if (text.trim() === '') reader.fail(at, 'cannot be empty');
  return text;
}
