import { resolveKey } from '../terraform/checkout-request.js';
import picomatch from 'picomatch';
import type { Logger } from '../../logger.js';
import { requirePermission, type Actor } from '../actor.js';
import type { CommandService } from '../commands/command.service.js';
import { DomainError, NotAllowedError } from '../errors.js';
import type { ProjectLock } from '../locks/project-lock.model.js';
import type { LocksService } from '../locks/locks.service.js';
import type { PullRequestInfo, VcsHost } from '../ports/vcs-host.js';
import type { Run } from '../runs/run.model.js';
import type { RunRepository } from '../runs/run.repository.js';
import type { RunsService } from '../runs/runs.service.js';
import type { WorkingCopies } from '../terraform/working-copy.js';
import { unmetRequirement } from './apply-requirements.js';
import type { PrBatch, PrBatchRepository, PrFailure } from './pr-batch.repository.js';

/** Which projects a PR command names: none (= every modified project), or -p / -d / -w. */
export interface PrSelection {
  project?: string;
  dir?: string;
  workspace?: string;
  extraArgs?: string[];
  verbose?: boolean;
  commentId?: number | null;
  source: 'pr_comment' | 'autoplan';
}

interface Deps {
  commands: CommandService;
  runs: RunsService;
  runRepo: RunRepository;
  locks: LocksService;
  batches: PrBatchRepository;
  vcs: VcsHost;
  workingCopies: WorkingCopies;
  log: Logger;
}

/**
 * The pull-request workflow Atlantis users know, on the shared run engine: plan (modified or
 * named projects), apply (the PR's unapplied plans, after its requirements), unlock, cancel and
 * cleanup on close. Each command leaves a batch that is reported on the PR when its runs settle.
 */
export class PullRequestsService {
  constructor(private readonly deps: Deps) {}

  /**
   * Commands run only on open pull requests from the repository itself: a fork's code would run
   * in terraform (local-exec) with this server's credentials. A head repository GitHub no longer
   * knows (null: the fork was deleted) is a fork too.
   */
  assertActionable(pr: PullRequestInfo): void {
    if (pr.state !== 'open') throw new NotAllowedError("Atlantis commands can't be run on closed pull requests", { code: 'pr.closed' });
    if (!pr.headRepoFullName || pr.headRepoFullName.toLowerCase() !== pr.repoFullName.toLowerCase()) {
      throw new NotAllowedError("Atlantis commands can't be run on fork pull requests.", { code: 'pr.fork' });
    }
  }

  async plan(actor: Actor, pr: PullRequestInfo, sel: PrSelection): Promise<PrBatch> {
    requirePermission(actor, 'run:plan');
    this.assertActionable(pr);
    const named = sel.project || sel.dir || sel.workspace;
    const modifiedFiles = named ? undefined : await this.deps.vcs.listChangedFiles(pr.repoFullName, pr.number);
    if (!named && sel.source === 'pr_comment') await this.discardPlans(actor, pr, 'replaced by a new `plan` of the whole pull request');
    const outcome = await this.deps.commands.submit(actor, {
      operation: 'plan', source: sel.source, repoFullName: pr.repoFullName, ref: `refs/pull/${pr.number}/head`, commitSha: pr.headSha,
      prNumber: pr.number, baseBranch: pr.baseRef, extraArgs: sel.extraArgs ?? [], modifiedFiles,
      projects: sel.project ? [sel.project] : undefined,
      paths: !sel.project && named ? [{ dir: sel.dir || '.', workspace: sel.workspace || undefined }] : undefined,
    });
    const failures: PrFailure[] = outcome.results.flatMap((r) => (r.run ? [] : [{ ...targetOf(r.target), failure: r.failure, locked: true }]));
    return this.deps.batches.create({
      tenantId: actor.tenantId, kind: 'plan', repoFullName: pr.repoFullName, prNumber: pr.number, headSha: pr.headSha,
      runIds: outcome.results.flatMap((r) => (r.run ? [r.run.id] : [])), failures, commentId: sel.commentId ?? null,
      verbose: !!sel.verbose, source: sel.source,
    });
  }

  /**
   * Applies the PR's unapplied plans (all, or the named ones). Each must meet its requirements
   * and have been made for the PR's current head; otherwise it fails alone, with the reason.
   */
  async apply(actor: Actor, pr: PullRequestInfo, sel: PrSelection): Promise<PrBatch> {
    requirePermission(actor, 'run:apply');
    this.assertActionable(pr);
    const planned = (await this.plannedRuns(actor, pr)).filter((r) => matches(r, sel));
    const approved: string[] = [];
    const failures: PrFailure[] = [];
    for (const run of planned) {
      const failure = await this.whyNotApply(run, pr);
      if (failure) {
        failures.push({ ...targetOf(run), failure });
        continue;
      }
      try {
        approved.push((await this.deps.runs.approveForPullRequest(actor, run.id)).id);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        failures.push({ ...targetOf(run), failure: err.message });
      }
    }
    if (!planned.length) failures.push({ dir: sel.dir ?? '', workspace: sel.workspace ?? '', projectName: sel.project ?? '', failure: 'there are no unapplied plans for this pull request; comment `atlantis plan` first' });
    return this.deps.batches.create({
      tenantId: actor.tenantId, kind: 'apply', repoFullName: pr.repoFullName, prNumber: pr.number, headSha: pr.headSha,
      runIds: approved, failures, commentId: sel.commentId ?? null, verbose: !!sel.verbose, source: sel.source,
    });
  }

  /** `atlantis unlock`: every lock of the PR and the plans under them. */
  unlock(actor: Actor, pr: Pick<PullRequestInfo, 'repoFullName' | 'number'>): Promise<ProjectLock[]> {
    return this.deps.locks.unlockPullRequest(actor, pr.repoFullName, pr.number, 'unlocked');
  }

  /** `atlantis cancel`: the PR's queued runs (running terraform is not interrupted, as in Atlantis). */
  async cancel(actor: Actor, pr: Pick<PullRequestInfo, 'repoFullName' | 'number'>): Promise<Run[]> {
    const { runs } = await this.deps.runRepo.find({ tenantId: actor.tenantId, repoFullName: pr.repoFullName, prNumber: pr.number, status: ['pending', 'confirmed'], limit: 500, offset: 0 });
    return Promise.all(runs.map((r) => this.deps.runs.cancel(actor, r.id)));
  }

  /** A merged or closed PR: release its locks, discard its plans, drop its working copies. */
  async closed(actor: Actor, pr: Pick<PullRequestInfo, 'repoFullName' | 'number'>): Promise<ProjectLock[]> {
    await this.cancel(actor, pr).catch((err) => this.deps.log.warn({ err }, 'could not cancel queued runs of a closed PR'));
    const locks = await this.deps.locks.unlockPullRequest(actor, pr.repoFullName, pr.number, 'closed');
    for (const key of [`pr-${pr.number}`, resolveKey(`pr-${pr.number}`)]) {
      await this.deps.workingCopies.remove(actor.tenantId, pr.repoFullName, key).catch((err) => this.deps.log.warn({ err, key }, 'could not remove working copies'));
    }
    return locks;
  }

  private async plannedRuns(actor: Actor, pr: PullRequestInfo): Promise<Run[]> {
    const { runs } = await this.deps.runRepo.find({ tenantId: actor.tenantId, repoFullName: pr.repoFullName, prNumber: pr.number, status: ['planned'], limit: 500, offset: 0 });
    return runs.reverse(); // oldest first: the order they were planned in
  }

  private async whyNotApply(run: Run, pr: PullRequestInfo): Promise<string | null> {
    // The run carries its project's requirements as the server-side repo config decided them at plan time.
    const unmet = await unmetRequirement(run.applyRequirements, pr, this.deps.vcs);
    if (unmet) return unmet;
    if (run.commitSha !== pr.headSha) {
      return `the plan was made for commit ${run.commitSha.slice(0, 8)}, but the pull request is now at ${pr.headSha.slice(0, 8)}: comment \`atlantis plan\` to plan the new commit`;
    }
    return null;
  }

  private async discardPlans(actor: Actor, pr: PullRequestInfo, reason: string): Promise<void> {
    for (const run of await this.plannedRuns(actor, pr)) await this.deps.runs.finish(run, 'discarded', { statusReason: reason });
  }
}

const targetOf = (t: { dir: string; workspace: string; projectName: string }) => ({ dir: t.dir, workspace: t.workspace, projectName: t.projectName });

/** Does a planned run fall under `-p` / `-d` (a cleaned dir or a glob) / `-w`? */
function matches(run: Run, sel: PrSelection): boolean {
  if (sel.project) return run.projectName === sel.project;
  if (sel.dir && !(/[*?[]/.test(sel.dir) ? picomatch(sel.dir)(run.dir) : run.dir === sel.dir)) return false;
  if (sel.workspace && run.workspace !== sel.workspace) return false;
  return true;
}
