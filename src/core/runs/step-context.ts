import type { Logger } from '../../logger.js';
import type { RunPhase } from '../auth/run-credentials.js';
import type { RepoSource } from '../ports/repo-source.js';
import type { TerraformRunner } from '../terraform/terraform-runner.js';
import type { WorkingCopies } from '../terraform/working-copy.js';
import type { PlanFreshness, StateSerials } from './plan-freshness.js';
import type { PlanStore } from './plan-store.js';
import type { RunLogs, RunLogWriter } from './run-logs.js';
import type { Run } from './run.model.js';
import type { RunRepository } from './run.repository.js';
import type { RunsService } from './runs.service.js';

/**
 * What the terraform steps of a run share. It lives apart from the executor so that the steps
 * (prepare-project, terraform-steps) and the executor import it, not each other.
 */
export interface ExecutorDeps {
  repo: RunRepository;
  runs: RunsService;
  logs: RunLogs;
  plans: PlanStore;
  freshness: PlanFreshness;
  states: StateSerials;
  workingCopies: WorkingCopies;
  runner: TerraformRunner;
  repos: RepoSource;
  /** a credential limited to this run's state and to one phase of it (auth/run-credentials.ts), for terraform's http backend */
  runToken(run: Run, phase: RunPhase): string;
  /** where terraform reaches this server's state backend (loopback URL of this replica) */
  stateBaseUrl(): string;
  /** scratch space for plan files: <data dir>/runs */
  scratchDir: string;
  runTimeoutMs: number;
  terraformEnv: Record<string, string>;
  log: Logger;
}

/** What every terraform step needs: the run, its output, its cancel signal, the executor's deps. */
export interface StepContext {
  run: Run;
  writer: RunLogWriter;
  signal: AbortSignal;
  deps: ExecutorDeps;
}

export interface PreparedProject {
  /** absolute project directory inside the working copy */
  dir: string;
  /** the sandbox lets terraform write these only: the working copy root and the run's scratch dir (plan files) */
  writableDirs: string[];
  /** true when Atlantas pointed terraform at its own state backend */
  backendOverridden: boolean;
  /** per-run environment (backend credentials) */
  env: Record<string, string>;
}

/** Thrown by a step when the run was canceled while terraform ran. */
export class RunCanceled extends Error {}
