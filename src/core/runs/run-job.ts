import type { RunPhase } from '../auth/run-credentials.js';
import type { RepoSource } from '../ports/repo-source.js';
import { applyArgs, initArgs, planArgs, showJsonArgs, type PlanMode } from '../terraform/terraform-args.js';
import { PLAN_FILE, type Job } from './job.js';
import type { Run } from './run.model.js';
import { isArchiveRun, type RunSource } from './run-status.js';

const MODES: Record<string, PlanMode> = { plan: 'normal', apply: 'normal', destroy: 'destroy', refresh: 'refresh-only' };

/**
 * Runs whose caller waits for an answer that holds counts only (Atlantis's POST /api/plan and
 * /api/apply): their show -json runs after the answer, and the list of resources that change is
 * on the run a moment later. Every other caller may render that list the moment the run settles
 * (PR comments, the runs API a client polls, Slack, MCP), so theirs stays before.
 */
const DETAILS_AFTER_ANSWER: readonly RunSource[] = ['atlantis_api'];

export interface JobBuilderDeps {
  repos: RepoSource;
  /** a credential limited to this run's state and to one phase of it (auth/run-credentials.ts) */
  runToken(run: Run, phase: RunPhase): string;
  runTimeoutMs: number;
  /** ATLANTAS_TF_ENV_PASSTHROUGH applied to the server's env */
  terraformEnv: Record<string, string>;
  /** the run's cloud credential on top of `terraformEnv` (cloud-credentials/cloud-run-env.ts); none: the passthrough alone */
  cloudEnv?(run: Run, base: Record<string, string>): Promise<{ env: Record<string, string>; secrets: string[] }>;
}

type RunEnvProvider = NonNullable<JobBuilderDeps['cloudEnv']>;

/**
 * Chains env providers (TFE variables, then the cloud credential): each gets the env the one
 * before built as its base, and the values to redact add up.
 */
export function composeRunEnv(...providers: RunEnvProvider[]): RunEnvProvider {
  return async (run, base) => {
    let env = base;
    const secrets: string[] = [];
    for (const provider of providers) {
      const next = await provider(run, env);
      env = next.env;
      secrets.push(...next.secrets);
    }
    return { env, secrets };
  };
}

/** The state backend path of a run's state and workspace (the runner prefixes its server URL). */
export function statePath(run: Pick<Run, 'stateName' | 'workspace'>): string {
  return `/api/v1/tfstate/${encodeURIComponent(run.stateName ?? '')}/${encodeURIComponent(run.workspace)}`;
}

/** Where a runner fetches an archive run's configuration (TFE's configuration version), with the run's credential. */
export function archivePath(run: Pick<Run, 'id'>): string {
  return `/api/v2/runs/${encodeURIComponent(run.id)}/configuration-archive`;
}

/** Server side: turns a claimed run into the job a runner executes. Reads nothing but the run and the repo source. */
export async function buildJob(deps: JobBuilderDeps, run: Run, phase: RunPhase, planFile?: Buffer): Promise<Job> {
  const archive = isArchiveRun(run);
  // The run's cloud credential and the clone credential are looked up at once (each may be a
  // query); when both fail, the cloud credential's failure is the one reported, as before.
  const [cloudResult, credentialsResult] = await Promise.allSettled([
    deps.cloudEnv ? deps.cloudEnv(run, deps.terraformEnv) : { env: { ...deps.terraformEnv }, secrets: [] },
    archive ? undefined : deps.repos.cloneCredentials(run.repoFullName, run.tenantId),
  ]);
  if (cloudResult.status === 'rejected') throw cloudResult.reason;
  if (credentialsResult.status === 'rejected') throw credentialsResult.reason;
  const cloud = cloudResult.value;
  const credentials = credentialsResult.value;
  return {
    runId: run.id,
    phase,
    repo: archive
      ? { tenantId: run.tenantId, fullName: run.repoFullName, cloneUrl: 'archive', key: `cv-${run.ref}`, commitSha: run.commitSha, ref: run.ref }
      : {
          tenantId: run.tenantId, fullName: run.repoFullName, cloneUrl: run.repoUrl || deps.repos.cloneUrl(run.repoFullName),
          key: run.prNumber ? `pr-${run.prNumber}` : `ref-${run.ref}`,
          commitSha: run.commitSha || undefined, ref: run.ref || undefined,
          credentials,
        },
    ...(archive ? { archive: { path: archivePath(run), token: deps.runToken(run, phase), sha256: run.commitSha } } : {}),
    dir: run.dir,
    workspace: run.workspace,
    extraArgs: run.extraArgs,
    steps: {
      init: initArgs({ reconfigure: true }),
      plan: planArgs({ out: PLAN_FILE, mode: MODES[run.operation], detailedExitcode: true, extraArgs: run.extraArgs }),
      show: showJsonArgs(PLAN_FILE),
      apply: applyArgs(PLAN_FILE),
    },
    backend: run.stateName ? { path: statePath(run), username: 'atlantas-run', password: deps.runToken(run, phase), replaceDeclared: archive } : null,
    env: cloud.env,
    secrets: cloud.secrets,
    timeoutMs: deps.runTimeoutMs,
    planDetails: DETAILS_AFTER_ANSWER.includes(run.source) ? 'after-answer' : 'before-answer',
    planFile: planFile?.toString('base64'),
  };
}
