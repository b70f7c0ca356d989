import type { Logger } from '../../logger.js';
import { actorKey, requirePermission, type Actor } from '../actor.js';
import { InputError, LockedError } from '../errors.js';
import type { ProjectsService } from '../projects/projects.service.js';
import { KeptPlanTargetInput, type CreateRunInput } from '../runs/run.schemas.js';
import type { LockHolder } from '../locks/lock-holder.js';
import type { RepoSource } from '../ports/repo-source.js';
import type { EnqueueResult, RunsService } from '../runs/runs.service.js';
import type { Run } from '../runs/run.model.js';
import type { RunLogs } from '../runs/run-logs.js';
import { outputPhase } from '../runs/run-outcome.js';
import type { PendingAnswers } from '../runs/pending-answers.js';
import type { RunOperation, RunSource } from '../runs/run-status.js';
import { resolveKey } from '../terraform/checkout-request.js';
import type { WorkingCopies } from '../terraform/working-copy.js';
import type { RepoPolicy } from './repo-policy.js';
import { checkExtraArgs } from '../runs/extra-args.js';
import type { ServerRepoConfig } from '../repo-policy/server-repo-config.js';
import { resolveTargets, type TargetSelection } from './resolve-targets.js';
import { repoFullNameOf, type RegisteredProjects } from './registered-projects.js';

export interface CommandRequest extends TargetSelection {
  operation: RunOperation;
  source: RunSource;
  repoFullName: string;
  /** branch, tag or `refs/pull/N/head`; the commit is pinned when the command is accepted */
  ref: string;
  /** the exact commit when the caller knows it (a PR event's head sha) */
  commitSha?: string;
  prNumber?: number | null;
  /** the pull request's base branch (branch-scoped entries of the server-side repo config); null outside a PR */
  baseBranch?: string | null;
  extraArgs?: string[];
  autoApply?: boolean;
  title?: string;
  scheduledAt?: Date | null;
  /**
   * Outside a PR, who holds the project locks (default: the actor). A drift check holds them as
   * `drift-check`, so that it neither re-takes nor supersedes the actor's own waiting plans.
   */
  lockHolderName?: string;
  /** a plan outside a pull request whose plan is kept (see RunsService.apply/discard) instead of speculative */
  keepPlan?: boolean;
}

/** What to plan and keep: a repository (at a branch, or a pull request) and optionally one project of it. */
export interface KeptPlanTarget {
  repo: string;
  /** plan the pull request's head; the pull request then holds the lock, as for `atlantis plan` */
  pr?: number | null;
  /** default: main (ignored with pr) */
  branch?: string;
  dir?: string;
  workspace?: string;
  /** a project named in the repository's atlantis.yaml */
  project?: string;
  extraArgs?: string[];
  title?: string;
}

export interface WaitedCommand {
  outcome: CommandOutcome;
  runs: Map<string, Run>;
  /** each run's output of the step the command asked for (plan, or apply) */
  outputs: Map<string, string>;
  /** the answer is written: call once */
  answered: () => void;
}

export interface CommandOutcome {
  batchId: string;
  commitSha: string;
  results: EnqueueResult[];
}

interface Deps {
  runs: RunsService;
  /** the runs' output, for the answer of a command that waits */
  logs: RunLogs;
  /** who in this process is answering for which run */
  answers: PendingAnswers;
  workingCopies: WorkingCopies;
  repos: RepoSource;
  policy: RepoPolicy;
  registered: RegisteredProjects;
  projects: ProjectsService;
  autoplanFileList: string[];
  /** ATLANTAS_BLOCKED_EXTRA_ARGS */
  blockedExtraArgs: readonly string[];
  /** ATLANTAS_REPO_CONFIG, with ATLANTAS_APPLY_REQUIREMENTS folded in */
  serverRepoConfig: ServerRepoConfig;
  log: Logger;
}

/**
 * A command (plan/apply/destroy of some projects of a repository at a ref) becomes runs: check
 * the allowlist, read the repository at the ref (atlantis.yaml or discovered dirs), pick the
 * projects, and queue one run each. Every front end submits commands through here.
 */
export class CommandService {
  constructor(private readonly deps: Deps) {}

  async submit(actor: Actor, req: CommandRequest): Promise<CommandOutcome> {
    requirePermission(actor, req.operation === 'plan' || req.operation === 'refresh' ? 'run:plan' : 'run:apply');
    await this.deps.policy.assertAllowed(actor.tenantId, req.repoFullName);
    await this.deps.runs.assertMayRun(actor.tenantId); // before anything is cloned
    if (!req.ref && !req.commitSha) throw new InputError('a ref (branch, tag or commit) is required', { code: 'validation_error' });
    checkExtraArgs(req.extraArgs ?? [], this.deps.blockedExtraArgs, []);
    const repoUrl = this.deps.repos.cloneUrl(req.repoFullName);
    const key = req.prNumber ? `pr-${req.prNumber}` : `ref-${req.ref}`;
    // Milestones at debug level, for the plan-phases bench (what a command spends before its runs are queued).
    this.deps.log.debug({ repo: req.repoFullName }, 'command accepted');
    const lease = await this.deps.workingCopies.checkout({
      tenantId: actor.tenantId, repoFullName: req.repoFullName, cloneUrl: repoUrl, key: resolveKey(key), workspace: 'default',
      ref: req.ref, commitSha: req.commitSha, credentials: await this.deps.repos.cloneCredentials(req.repoFullName, actor.tenantId), readOnly: true,
    });
    this.deps.log.debug({ repo: req.repoFullName }, 'command read the repository');
    try {
      const targets = await resolveTargets(lease.dir, req, this.deps.autoplanFileList, {
        server: this.deps.serverRepoConfig, repoFullName: req.repoFullName, baseBranch: req.baseBranch ?? null,
      });
      checkExtraArgs(req.extraArgs ?? [], this.deps.blockedExtraArgs, targets.map((t) => t.dir));
      const linked = await this.deps.registered.link(actor.tenantId, req.repoFullName, targets);
      this.deps.log.debug({ repo: req.repoFullName, projects: linked.length }, 'command resolved its projects');
      const prUrl = req.prNumber ? this.deps.repos.webUrl(req.repoFullName, req.prNumber) : null;
      // The PR holds the project locks when there is one, else the actor.
      const holder: LockHolder = (req.prNumber
        ? { kind: 'pull_request', prNumber: req.prNumber, prUrl, lockedBy: actor.name, lockedByKey: actorKey(actor), vcsLogin: actor.vcsLogin ?? null }
        : {
          kind: 'actor', name: req.lockHolderName ?? actor.name, key: req.lockHolderName ? `named:${req.lockHolderName}` : actorKey(actor),
          lockedBy: actor.name, lockedByKey: actorKey(actor), vcsLogin: actor.vcsLogin ?? null,
        });
      const { batchId, results } = await this.deps.runs.enqueue(actor, {
        operation: req.operation, source: req.source, extraArgs: req.extraArgs ?? [], title: req.title,
        autoApply: req.autoApply ?? false,
        scheduledAt: req.scheduledAt, holder, keepPlan: req.keepPlan,
        targets: linked.map((t) => ({
          ...t, repoFullName: req.repoFullName, repoUrl, ref: req.ref, prNumber: req.prNumber ?? null, prUrl,
          // A scheduled run plans the head of its ref when it starts, not the commit of today.
          commitSha: req.scheduledAt ? '' : lease.commitSha,
        })),
      });
      this.deps.log.debug({ batchId }, 'command queued its runs');
      return { batchId, commitSha: lease.commitSha, results };
    } finally {
      await lease.release();
    }
  }

  /**
   * POST /api/v1/runs (and the MCP/Slack equivalents): one run of a registered project, or of a
   * repository path. A held lock is refused with the holder named.
   */
  async createRun(actor: Actor, input: CreateRunInput, source: RunSource): Promise<Run> {
    const project = input.project ? await this.deps.projects.require(actor, input.project) : null;
    if (project && !project.repositoryUrl) {
      throw new InputError(`project ${project.name} has no repository_url; set one before running it`, { code: 'validation_error' });
    }
    const repoFullName = project ? repoFullNameOf(project.repositoryUrl) : input.repo!;
    const outcome = await this.submit(actor, {
      operation: input.command, source, repoFullName, ref: input.branch ?? project?.branch ?? 'main', prNumber: input.pr ?? null,
      projects: input.project_name ? [input.project_name] : undefined,
      paths: input.project_name ? undefined : [{ dir: input.dir ?? project?.terraformPath ?? '.', workspace: input.workspace ?? project?.workspace ?? 'default' }],
      extraArgs: input.extra_args, title: input.title, scheduledAt: input.scheduled_at ? new Date(input.scheduled_at) : null,
      keepPlan: !!input.keep_plan && input.command === 'plan',
    });
    const first = outcome.results[0];
    if (!first) throw new InputError('the command selected no project', { code: 'project_not_found' });
    if (!first.run) throw new LockedError(first.failure, first.lock, { code: 'run.lock_held' });
    return first.run;
  }

  /**
   * A plan that is kept (Slack's `/atlantas plan`, REST `keep_plan`): outside a pull request it
   * holds each project's lock in the actor's name until it is applied or discarded by run id,
   * superseded by the actor's next plan of that project, or expired after ATLANTAS_PLAN_TTL. A
   * project locked by someone else fails alone with the holder named (results[].failure/lock).
   */
  async planKept(actor: Actor, input: KeptPlanTarget, source: RunSource): Promise<CommandOutcome> {
    const parsed = KeptPlanTargetInput.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(target)', message: i.message }));
      throw new InputError(issues.map((i) => `${i.path}: ${i.message}`).join('; '), { code: 'validation_error', issues });
    }
    const target = parsed.data;
    const selected = target.project ? { projects: [target.project] } : target.dir || target.workspace ? { paths: [{ dir: target.dir ?? '.', workspace: target.workspace ?? 'default' }] } : {};
    return this.submit(actor, {
      operation: 'plan', source, repoFullName: target.repo, prNumber: target.pr ?? null, keepPlan: true,
      ref: target.pr ? `refs/pull/${target.pr}/head` : (target.branch ?? 'main'), extraArgs: target.extraArgs ?? [], title: target.title, ...selected,
    });
  }

  /**
   * Submits and waits until every run settled (done, or planned and waiting for approval); with
   * each run's output of the step the command asked for. The caller calls `answered` once its
   * answer is written (always, also when rendering fails): work after the answer waits for it.
   */
  async submitAndWait(actor: Actor, req: CommandRequest, timeoutMs: number): Promise<WaitedCommand> {
    const outcome = await this.submit(actor, req);
    const ids = outcome.results.flatMap((r) => (r.run ? [r.run.id] : []));
    const answered = this.deps.answers.hold(ids);
    try {
      // waitForSettled reads the runs in the actor's tenant only: their output needs no second read of them.
      const runs = await this.deps.runs.waitForSettled(actor, ids, timeoutMs);
      const command = req.operation === 'plan' ? 'plan' : 'apply';
      const outputs = await Promise.all(runs.map(async (r) => [r.id, await this.deps.logs.text(r.id, outputPhase(command, r))] as const));
      return { outcome, runs: new Map(runs.map((r) => [r.id, r])), outputs: new Map(outputs), answered };
    } catch (err) {
      answered();
      throw err;
    }
  }
}
