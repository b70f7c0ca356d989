/** What the PR-comment renderer takes. Plain data: the GitHub handler builds it from finished runs. */

export type ResultCommand = 'plan' | 'apply' | 'import' | 'state_rm' | 'version' | 'approve_policies';

export type ResourceAction = 'create' | 'update' | 'delete' | 'replace' | 'import' | 'read' | 'forget';

export interface PlanDetails {
  hasChanges: boolean;
  toAdd: number;
  toChange: number;
  toDestroy: number;
  toImport: number;
  /** The summary line, e.g. `Plan: 1 to add, 0 to change, 0 to destroy.` or `No changes. …`. */
  summary: string;
  /** terraform printed "Note: Objects have changed outside of Terraform". */
  changesOutside: boolean;
  /** From `terraform show -json`; rendered as a change list above the output. */
  resourceChanges: { address: string; action: ResourceAction }[];
}

export interface ProjectResult {
  command: ResultCommand;
  /** '' when the project has no name. */
  projectName: string;
  /** Repo-relative dir, '.' for the root. */
  dir: string;
  workspace: string;
  /**
   * success: the command ran (a plan with or without changes, an applied plan …).
   * failure: refused before running (`failure` says why: lock held, apply requirements …).
   * error: terraform or the system failed (`error` holds the message or terraform's stderr).
   */
  status: 'success' | 'failure' | 'error';
  /** terraform's output (no colour codes). */
  output?: string;
  failure?: string;
  error?: string;
  plan?: PlanDetails;
  /** e.g. `Apply complete! Resources: 1 added, 0 changed, 0 destroyed.`; shown under folded apply output. */
  applySummary?: string;
  /** The run in the Atlantas UI. */
  runUrl?: string;
  /** Where this project's plan and lock can be discarded; without it the delete hint is left out. */
  lockUrl?: string;
  /** The comment's extra args (after `--`), repeated in the re-plan hint. */
  extraArgs?: string[];
  /** Shown in a `Log` block when the command was run with --verbose. */
  verboseLog?: string;
}

export interface RenderOptions {
  /** Used in every hint (`atlantis apply -d .`). */
  executableName: string;
  /** The comment had --verbose: append each project's `verboseLog`. */
  verbose?: boolean;
  /** Carried into the apply hints as ` --auto-merge-disabled`. */
  autoMergeDisabled?: boolean;
  /** Carried into the apply hints as ` --auto-merge-method <m>`. */
  autoMergeMethod?: string;
  /** Plans were discarded because automerge needs every plan to pass: no apply hints. */
  plansDeleted?: boolean;
}

/** Titles as Atlantis writes them (`Ran Plan for …`, `**Apply Failed**`). */
export const COMMAND_TITLES: Record<ResultCommand, string> = {
  plan: 'Plan',
  apply: 'Apply',
  import: 'Import',
  state_rm: 'State',
  version: 'Version',
  approve_policies: 'Approve Policies',
};
