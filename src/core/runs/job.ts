import { z } from 'zod';

/**
 * The one runner contract: everything a runner (the in-process worker or a remote `atlantas
 * runner`) gets to execute one phase of one run. It crosses HTTP, so it is a zod schema. Nothing
 * in it reaches the database, the encryption key or another run: the git credential is scoped to
 * the repository, the state credential to this run's state and phase (auth/run-credentials.ts).
 */

/** Stands for the runner-local plan file in the plan and apply argv. */
export const PLAN_FILE = '@PLAN_FILE@';

const Argv = z.array(z.string().max(4096)).min(1).max(256);

export const Job = z.object({
  runId: z.string().uuid(),
  phase: z.enum(['plan', 'apply']),
  repo: z.object({
    tenantId: z.string().uuid(),
    fullName: z.string().min(1).max(255),
    cloneUrl: z.string().min(1).max(2048),
    /** 'pr-12' | 'ref-main': which working copy of the repository */
    key: z.string().min(1).max(255),
    commitSha: z.string().optional(),
    ref: z.string().optional(),
    /** short-lived, for this repository only (RepoSource.cloneCredentials) */
    credentials: z.object({ username: z.string(), password: z.string() }).optional(),
  }),
  /**
   * Instead of a git checkout: a configuration archive (a TFE configuration version) the runner
   * fetches from `path` (resolved against its server URL) with `token` (this run's and phase's
   * credential), checks against `sha256` and extracts under the archive rules
   * (terraform/config-archive.ts). `repo` then names the source only (no clone).
   */
  archive: z.object({ path: z.string().startsWith('/'), token: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  /** the project directory, relative to the repository root */
  dir: z.string().min(1).max(1024),
  workspace: z.string().min(1).max(255),
  /** extra args the plan carries: their paths must stay inside the checkout */
  extraArgs: z.array(z.string()).max(256),
  steps: z.object({
    init: Argv,
    /** with PLAN_FILE where the plan file goes */
    plan: Argv,
    show: Argv,
    apply: Argv,
  }),
  /** Atlantas's own state backend, when Atlantas holds the state; `path` is resolved against the runner's server URL */
  backend: z.object({
    path: z.string().startsWith('/'), username: z.string(), password: z.string(),
    /** also when the configuration declares its own backend or `cloud` block (a TFE run: its state is the workspace's) */
    replaceDeclared: z.boolean().default(false),
  }).nullable(),
  /** what terraform may see beyond its clean base env: tenant cloud credentials, passthrough variables */
  env: z.record(z.string(), z.string()),
  /** values in `env` (a tenant's cloud credential) the runner replaces in everything it reports: output, errors, plan details */
  secrets: z.array(z.string().min(1).max(16_384)).max(64).default([]),
  timeoutMs: z.number().int().positive(),
  /**
   * When `terraform show -json` runs: before the plan is reported (its caller renders which
   * resources change, as a PR comment does), or after (the answer needs only the counts the plan's
   * own output gives; which resources change is stored a moment later). A sink without
   * `planDetails` always gets them before.
   */
  planDetails: z.enum(['before-answer', 'after-answer']).default('before-answer'),
  /** apply only: the saved plan, base64 */
  planFile: z.string().optional(),
});
export type Job = z.infer<typeof Job>;

/**
 * An address, its action, the names of the attributes an update changes (`attributes`, sensitive
 * ones also in `sensitiveAttributes`), and `changes`: before/after with sensitive values already
 * redacted (terraform/plan-attribute-changes.ts); stored sealed.
 */
export const ResourceChangeSummary = z.object({
  address: z.string(), action: z.string(),
  attributes: z.array(z.string()).max(1000).optional(), sensitiveAttributes: z.array(z.string()).max(1000).optional(),
  changes: z.array(z.object({ name: z.string(), before: z.unknown(), after: z.unknown() })).max(100).optional(),
});
export type ResourceChangeSummary = z.infer<typeof ResourceChangeSummary>;

/** What `terraform show -json` of the plan file says; attribute values only redacted, in `changes` (the run stores them sealed). */
export const PlanDetails = z.object({
  summary: z.string(),
  toAdd: z.number().int(), toChange: z.number().int(), toDestroy: z.number().int(), toImport: z.number().int(),
  resourceChanges: z.array(ResourceChangeSummary),
  resourceDrift: z.array(ResourceChangeSummary),
});
export type PlanDetails = z.infer<typeof PlanDetails>;

/**
 * What a plan came to, as a runner reports it. `resourceChanges` and `resourceDrift` are null
 * when show -json runs after the answer (job.planDetails): `planDetails` brings them then.
 */
export const PlannedResult = PlanDetails.extend({
  hasChanges: z.boolean(),
  resourceChanges: z.array(ResourceChangeSummary).nullable(),
  resourceDrift: z.array(ResourceChangeSummary).nullable(),
});
export type PlannedResult = z.infer<typeof PlannedResult>;

/** The answer to a plan: stop, or go on to apply with the apply phase's state credential. */
export const AfterPlan = z.object({ apply: z.boolean(), statePassword: z.string().optional() });
export type AfterPlan = z.infer<typeof AfterPlan>;

/** How a job ended when it did not stop at `planned`. */
export const JobOutcome = z.object({
  status: z.enum(['applied', 'errored', 'canceled']),
  error: z.string().max(64_000).optional(),
  statusReason: z.string().max(4000).optional(),
});
export type JobOutcome = z.infer<typeof JobOutcome>;

export const CheckedOut = z.object({ commitSha: z.string().regex(/^[0-9a-f]{40,64}$/), backendOverridden: z.boolean() });
export type CheckedOut = z.infer<typeof CheckedOut>;

/**
 * Where a job's output and results go: the run's own record (in-process) or the server over HTTP
 * (a remote runner). Every method answers for this one run only.
 */
export interface JobSink {
  appendLog(chunk: string): void;
  setPhase(phase: 'init' | 'plan' | 'apply'): void;
  /** everything appended so far is stored */
  flush(): Promise<void>;
  /** the terraform process started (recorded so that recovery can find a leftover) */
  spawned?(pid: number): void;
  /** the exact commit and whether Atlantas holds the state: the server records what the plan is made against */
  checkedOut(info: CheckedOut): Promise<void>;
  /**
   * checkedOut may still be recording while terraform starts: what it records (the state the
   * plan is made against) was read before the job began. Its outcome is awaited before the job
   * reports anything else (planned, finished); a failure still errors the job. Absent: the job
   * waits for checkedOut before any terraform (a remote runner's server reads the state then).
   */
  readonly checkedOutMayOverlap?: boolean;
  /** the plan is made: the server stores it and says whether to go on to apply */
  planned(result: PlannedResult, planFile: Buffer): Promise<AfterPlan>;
  /** show -json's reading of the plan, when it ran after `planned` (job.planDetails 'after-answer') */
  planDetails?(details: PlanDetails): Promise<void>;
  /** resolves once the plan's answer is written (work after the answer waits for it, off the answer's event loop) */
  answered?(signal: AbortSignal): Promise<void>;
  /** the job ended (applied, errored, canceled, or a plan that failed) */
  finished(outcome: JobOutcome): Promise<void>;
}
