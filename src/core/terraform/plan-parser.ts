/**
 * Parses terraform's human output (`plan` / `apply` / `destroy` with `-no-color`) into counts and
 * a one-line summary, with Atlantis' semantics (server/events/models: several `Plan:` lines, as
 * terragrunt prints them, are summed), and the `-json` UI stream of the same commands. Pure: no
 * I/O. `terraform show -json <planfile>` is read by `show-json.ts`, which shares the counts and
 * wording defined here.
 */
import { InputError } from '../errors.js';

export interface PlanCounts {
  toAdd: number;
  toChange: number;
  toDestroy: number;
  toImport: number;
  toForget: number;
}

export interface PlanSummary extends PlanCounts {
  /** Applying this plan would change something: resources, outputs, or recorded drift. */
  hasChanges: boolean;
  /** Terraform said "No changes. …" and nothing was counted. */
  noChanges: boolean;
  /** "Note: Objects have changed outside of Terraform" was printed. */
  changesOutside: boolean;
  /** "Changes to Outputs:" without any `Plan:` line (output-only or refresh-only plan). */
  outputsOnly: boolean;
  /** Terraform's one-line verdict; null when the output has none (e.g. the plan failed). */
  summary: string | null;
  /** Summaries of `Error: …` diagnostics, in order. */
  errors: string[];
}

export interface ApplySummary {
  /** All null when no "Apply complete!" / "Destroy complete!" line was printed. */
  added: number | null;
  changed: number | null;
  destroyed: number | null;
  imported: number | null;
  forgotten: number | null;
  summary: string | null;
}

export const NO_CHANGES_SENTENCE = 'No changes. Your infrastructure matches the configuration.';
/** Used when refreshed state differs from the stored one and nothing else would change. */
export const DRIFT_SENTENCE = 'Objects have changed outside of Terraform.';
/** Terraform's sentence for a plan whose only changes are root output values. */
export const OUTPUTS_ONLY_SENTENCE =
  'You can apply this plan to save these new output values to the Terraform state, without changing any real infrastructure.';

const PLAN_LINE = /^Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy(?:, (\d+) to forget)?\.$/;
const NO_CHANGES_LINE =
  /^No changes\. (?:Your infrastructure (?:still )?matches the configuration|No objects need to be destroyed|Infrastructure is up-to-date)\.$/;
const DRIFT_NOTE = /^Note: Objects have changed outside of Terraform$/;
const OUTPUTS_HEADER = /^Changes to Outputs:$/;
const ERROR_LINE = /^(?:│ )?Error: (.+)$/;
const APPLY_LINE =
  /^Apply complete! Resources: (?:(\d+) imported, )?(\d+) added, (\d+) changed, (\d+) destroyed(?:, (\d+) forgotten)?\.$/;
const DESTROY_LINE = /^Destroy complete! Resources: (\d+) destroyed\.$/;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Terraform's own one-line wording: `to import` / `to forget` appear only when non-zero. */
export function summarizeCounts(counts: PlanCounts): string {
  const parts = [`${counts.toAdd} to add`, `${counts.toChange} to change`, `${counts.toDestroy} to destroy`];
  if (counts.toImport > 0) parts.unshift(`${counts.toImport} to import`);
  if (counts.toForget > 0) parts.push(`${counts.toForget} to forget`);
  return `Plan: ${parts.join(', ')}.`;
}

export function emptyCounts(): PlanCounts {
  return { toAdd: 0, toChange: 0, toDestroy: 0, toImport: 0, toForget: 0 };
}

export function totalCounted(counts: PlanCounts): number {
  return counts.toAdd + counts.toChange + counts.toDestroy + counts.toImport + counts.toForget;
}

/**
 * Reads the human output of `terraform plan -no-color` (stdout, or stdout+stderr). Lines are
 * matched from their first column, so a resource attribute that happens to contain
 * "Plan: 1 to add, …" (diff lines are indented) is never counted.
 */
export function parsePlanOutput(text: string): PlanSummary {
  const lines = toLines(text);
  const counts = emptyCounts();
  const planLines: string[] = [];
  let noChangesLine: string | null = null;
  for (const line of lines) {
    const m = PLAN_LINE.exec(line);
    if (m) {
      planLines.push(line);
      addCounts(counts, { toImport: num(m[1]), toAdd: num(m[2]), toChange: num(m[3]), toDestroy: num(m[4]), toForget: num(m[5]) });
    } else if (noChangesLine === null && NO_CHANGES_LINE.test(line)) {
      noChangesLine = line;
    }
  }
  const changesOutside = lines.some((l) => DRIFT_NOTE.test(l));
  const outputsOnly = planLines.length === 0 && lines.some((l) => OUTPUTS_HEADER.test(l));
  const noChanges = noChangesLine !== null && totalCounted(counts) === 0;
  const hasChanges = totalCounted(counts) > 0 || (!noChanges && (planLines.length > 0 || outputsOnly || changesOutside));
  return {
    ...counts,
    hasChanges,
    noChanges,
    changesOutside,
    outputsOnly,
    summary: planSentence(planLines, counts, noChangesLine, changesOutside, outputsOnly),
    errors: lines.flatMap((l) => ERROR_LINE.exec(l)?.[1] ?? []),
  };
}

function planSentence(
  planLines: string[], counts: PlanCounts, noChangesLine: string | null, changesOutside: boolean, outputsOnly: boolean,
): string | null {
  if (planLines.length === 1 && totalCounted(counts) > 0) return planLines[0];
  if (totalCounted(counts) > 0) return summarizeCounts(counts);
  if (noChangesLine !== null) return noChangesLine;
  if (planLines.length > 0) return planLines[0];
  if (changesOutside) return DRIFT_SENTENCE;
  if (outputsOnly) return OUTPUTS_ONLY_SENTENCE;
  return null;
}

/**
 * Reads the human output of `terraform apply` / `terraform destroy`. Several completion lines
 * (terragrunt) are summed. Every field is null when the run never reported completion.
 */
export function parseApplyOutput(text: string): ApplySummary {
  const found: string[] = [];
  const sum = { added: 0, changed: 0, destroyed: 0, imported: 0, forgotten: 0 };
  for (const line of toLines(text)) {
    const apply = APPLY_LINE.exec(line);
    const destroy = apply ? null : DESTROY_LINE.exec(line);
    if (apply) {
      sum.imported += num(apply[1]);
      sum.added += num(apply[2]);
      sum.changed += num(apply[3]);
      sum.destroyed += num(apply[4]);
      sum.forgotten += num(apply[5]);
    } else if (destroy) {
      sum.destroyed += num(destroy[1]);
    } else {
      continue;
    }
    found.push(line);
  }
  if (found.length === 0) {
    return { added: null, changed: null, destroyed: null, imported: null, forgotten: null, summary: null };
  }
  return { ...sum, summary: found.length === 1 ? found[0] : applySentence(sum) };
}

function applySentence(sum: { added: number; changed: number; destroyed: number; imported: number; forgotten: number }): string {
  const parts = [`${sum.added} added`, `${sum.changed} changed`, `${sum.destroyed} destroyed`];
  if (sum.imported > 0) parts.unshift(`${sum.imported} imported`);
  if (sum.forgotten > 0) parts.push(`${sum.forgotten} forgotten`);
  return `Apply complete! Resources: ${parts.join(', ')}.`;
}

function toLines(text: string): string[] {
  return text.replace(ANSI, '').split(/\r?\n/).map((l) => l.trimEnd());
}

function addCounts(into: PlanCounts, more: PlanCounts): void {
  into.toAdd += more.toAdd;
  into.toChange += more.toChange;
  into.toDestroy += more.toDestroy;
  into.toImport += more.toImport;
  into.toForget += more.toForget;
}

function num(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits);
}

/** A `planned_change` or `resource_drift` message; `action` is the stream's word (noop, replace, remove, …). */
export interface StreamChange {
  address: string;
  type: string;
  name: string;
  moduleAddress?: string;
  action: string;
  reason?: string;
}

export interface StreamDiagnostic {
  severity: string;
  summary: string;
  detail?: string;
  address?: string;
  range?: { filename: string; start: { line: number; column: number }; end: { line: number; column: number } };
}

export interface JsonStreamSummary {
  /** The last `change_summary` (an apply stream has the plan's, then the apply's). */
  changeSummary: (PlanCounts & { operation: string; summary: string }) | null;
  plannedChanges: StreamChange[];
  drift: StreamChange[];
  /** Errors and warnings; snippets are left out (their `values` may hold secrets). */
  diagnostics: StreamDiagnostic[];
}

/**
 * Reads the JSON Lines of `terraform plan|apply -json`. Unknown message types and lines that are
 * not JSON (a truncated last line) are skipped; text with no terraform message at all is refused.
 */
export function parseJsonStream(lines: string): JsonStreamSummary {
  const result: JsonStreamSummary = { changeSummary: null, plannedChanges: [], drift: [], diagnostics: [] };
  let messages = 0;
  for (const line of lines.split(/\r?\n/)) {
    const msg = parseMessage(line);
    if (msg === null) continue;
    messages += 1;
    if (msg.type === 'change_summary') result.changeSummary = toChangeSummary(msg);
    else if (msg.type === 'planned_change') result.plannedChanges.push(toStreamChange(msg.change));
    else if (msg.type === 'resource_drift') result.drift.push(toStreamChange(msg.change));
    else if (msg.type === 'diagnostic') result.diagnostics.push(toDiagnostic(msg.diagnostic));
  }
  if (messages === 0 && lines.trim() !== '') {
    throw new InputError('no terraform -json message found; pass the stdout of `terraform plan -json` or `terraform apply -json`', {
      code: 'plan_stream.invalid',
    });
  }
  return result;
}

type Message = Record<string, unknown> & { type: string };

function parseMessage(line: string): Message | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(trimmed);
    return isRecord(value) && typeof value.type === 'string' ? (value as Message) : null;
  } catch {
    return null;
  }
}

function toChangeSummary(msg: Message): JsonStreamSummary['changeSummary'] {
  const c = isRecord(msg.changes) ? msg.changes : {};
  return {
    toAdd: count(c.add),
    toChange: count(c.change),
    toDestroy: count(c.remove),
    toImport: count(c.import),
    toForget: count(c.forget),
    operation: text(c.operation) ?? 'plan',
    summary: text(msg['@message']) ?? '',
  };
}

function toStreamChange(value: unknown): StreamChange {
  const change = isRecord(value) ? value : {};
  const res = isRecord(change.resource) ? change.resource : {};
  const module = text(res.module);
  const reason = text(change.reason);
  return {
    address: text(res.addr) ?? '',
    type: text(res.resource_type) ?? '',
    name: text(res.resource_name) ?? '',
    ...(module ? { moduleAddress: module } : {}),
    action: text(change.action) ?? '',
    ...(reason ? { reason } : {}),
  };
}

function toDiagnostic(value: unknown): StreamDiagnostic {
  const d = isRecord(value) ? value : {};
  const detail = text(d.detail);
  const address = text(d.address);
  const range = isRecord(d.range) ? d.range : undefined;
  return {
    severity: text(d.severity) ?? 'error',
    summary: text(d.summary) ?? '',
    ...(detail ? { detail } : {}),
    ...(address ? { address } : {}),
    ...(range && text(range.filename) ? { range: { filename: String(range.filename), start: pos(range.start), end: pos(range.end) } } : {}),
  };
}

function pos(value: unknown): { line: number; column: number } {
  const p = isRecord(value) ? value : {};
  return { line: count(p.line), column: count(p.column) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}
