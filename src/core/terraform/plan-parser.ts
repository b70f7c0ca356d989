/**
 * Terraform's counts and wording for plans, shared with `show-json.ts` (which reads the plan a
 * run makes), the parser of `terraform plan` output (the counts a run reports before show -json
 * has run), and the parser of `terraform apply` / `destroy` output (`-no-color`) into its
 * completion line, with Atlantis's semantics (several completion lines, as terragrunt prints
 * them, are summed). Pure: no I/O.
 */

export interface PlanCounts {
  toAdd: number;
  toChange: number;
  toDestroy: number;
  toImport: number;
  toForget: number;
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

const APPLY_LINE =
  /^Apply complete! Resources: (?:(\d+) imported, )?(\d+) added, (\d+) changed, (\d+) destroyed(?:, (\d+) forgotten)?\.$/;
const PLAN_LINE = /^Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy(?:, (\d+) to forget)?\.$/;
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

export interface PlanOutput extends PlanCounts {
  /** the same sentence `show-json.ts` derives from the plan file */
  summary: string;
}

/**
 * Reads the human output of `terraform plan -no-color`: its counts and summary, which agree with
 * what `parseShowJson` reads from the plan file. Whether there are changes comes from
 * `-detailed-exitcode`, not from here; which resources change needs the plan file.
 */
export function parsePlanOutput(text: string): PlanOutput {
  const lines = toLines(text);
  for (const line of lines) {
    const m = PLAN_LINE.exec(line);
    if (m) return { toImport: num(m[1]), toAdd: num(m[2]), toChange: num(m[3]), toDestroy: num(m[4]), toForget: num(m[5]), summary: line };
  }
  // Sentences terraform wraps at 80 columns: compare their opening words only.
  const says = (sentence: string) => lines.some((l) => l.startsWith(sentence.slice(0, 60)));
  let summary = NO_CHANGES_SENTENCE;
  if (says('This is a refresh-only plan, so Terraform will not take any actions') && says('Note: ' + DRIFT_SENTENCE.slice(0, -1))) summary = DRIFT_SENTENCE;
  else if (says(OUTPUTS_ONLY_SENTENCE)) summary = OUTPUTS_ONLY_SENTENCE;
  return { ...emptyCounts(), summary };
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

function num(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits);
}
