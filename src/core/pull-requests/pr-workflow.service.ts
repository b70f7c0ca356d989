import type { Logger } from '../../logger.js';
import { systemActors } from '../auth/system-actors.js';
import type { RepoPolicy } from '../commands/repo-policy.js';
import type { PullRequestInfo, VcsHost } from '../ports/vcs-host.js';
import type { TerraformRunner } from '../terraform/terraform-runner.js';
import type { CommentClaimRepository } from './comment-claim.repository.js';
import { failedStatus, pendingStatus, type StatusKind } from './commit-status.js';
import { actorFromRepoPermission } from './pr-actor.js';
import {
  AUTOPLAN_ACTIONS, type PrCommand, type PrCommentInput, type PrCommentResult, type PrEventInput, type PrEventResult,
} from './pr-workflow.types.js';
import type { PullRequestsService } from './pull-requests.service.js';

export interface PrWorkflowOptions {
  /** ATLANTAS_GH_REQUIRE_WRITE: commenters need write permission to plan or apply */
  requireWrite: boolean;
  /** ATLANTAS_GH_ALLOW_DRAFT_PRS: autoplan drafts too */
  allowDraftPrs: boolean;
}

interface Deps {
  pullRequests: PullRequestsService;
  policy: RepoPolicy;
  claims: CommentClaimRepository;
  vcs: VcsHost;
  runner: Pick<TerraformRunner, 'version'>;
  options: PrWorkflowOptions;
  log: Logger;
}

/**
 * The pull-request workflow as one core call per webhook: a comment command, or a PR event. It
 * decides everything Atlantis decides — the allowlist, the commenter's permission, which events
 * autoplan, drafts, forks — sets the commit status, and makes sure that every status it set
 * pending ends failed when the command cannot go on. The front end only parses and renders.
 */
export class PrWorkflowService {
  constructor(private readonly deps: Deps) {}

  async comment(input: PrCommentInput): Promise<PrCommentResult> {
    const { tenantId, repoFullName: repo, prNumber, commentId } = input;
    if (!(await this.deps.claims.claim(tenantId, repo, commentId, input.delivery))) return { kind: 'duplicate' };
    const command = input.request.kind === 'command' ? input.request.command.name : 'reply';
    try {
      await this.deps.policy.assertAllowed(tenantId, repo);
    } catch (error) {
      return { kind: 'refused', command, error };
    }
    await this.deps.vcs.addReaction(repo, commentId, 'eyes').catch((err) => this.deps.log.warn({ err }, 'could not react to the comment'));
    if (input.request.kind === 'reply') return { kind: 'reply', text: input.request.text };
    const started: { kind?: StatusKind; sha?: string } = {};
    try {
      return await this.run(input, input.request.command, started);
    } catch (error) {
      if (started.kind && started.sha) await this.setStatus(repo, started.sha, failedStatus(started.kind));
      return { kind: 'refused', command, error };
    }
  }

  async event(input: PrEventInput): Promise<PrEventResult> {
    const pr = { repoFullName: input.repoFullName, number: input.prNumber };
    if (input.action === 'closed') return { kind: 'closed', locks: await this.deps.pullRequests.closed(systemActors.prCleanup(input.tenantId), pr) };
    if (!(AUTOPLAN_ACTIONS as readonly string[]).includes(input.action)) return { kind: 'ignored', reason: `${input.action} does not autoplan` };
    if (input.draft && !this.deps.options.allowDraftPrs) return { kind: 'ignored', reason: 'draft pull request (ATLANTAS_GH_ALLOW_DRAFT_PRS)' };
    // A refusal that does not change with new commits is said once, when the pull request opens.
    const once = (error: unknown): PrEventResult => (input.action === 'opened' ? { kind: 'refused', command: 'autoplan', error } : { kind: 'ignored', reason: 'refused before' });
    let pull: PullRequestInfo;
    try {
      await this.deps.policy.assertAllowed(input.tenantId, input.repoFullName);
    } catch (error) {
      return once(error);
    }
    try {
      pull = await this.deps.vcs.getPullRequest(input.repoFullName, input.prNumber);
    } catch (error) {
      await this.setStatus(input.repoFullName, input.headSha, failedStatus('plan'));
      return { kind: 'refused', command: 'autoplan', error };
    }
    try {
      this.deps.pullRequests.assertActionable(pull);
    } catch (error) {
      return once(error);
    }
    try {
      await this.deps.vcs.setCommitStatus(pull.repoFullName, pull.headSha, pendingStatus('plan'));
      return { kind: 'queued', batch: await this.deps.pullRequests.plan(systemActors.autoplan(input.tenantId), pull, { source: 'autoplan' }) };
    } catch (error) {
      await this.setStatus(pull.repoFullName, pull.headSha, failedStatus('plan'));
      return { kind: 'refused', command: 'autoplan', error };
    }
  }

  private async run(input: PrCommentInput, cmd: PrCommand, started: { kind?: StatusKind; sha?: string }): Promise<PrCommentResult> {
    const { pullRequests, vcs, options } = this.deps;
    const permission = options.requireWrite ? await vcs.getPermission(input.repoFullName, input.authorLogin) : 'write';
    const actor = actorFromRepoPermission(input.tenantId, input.authorLogin, permission, { requireWrite: options.requireWrite, command: cmd.name });
    const pull = await vcs.getPullRequest(input.repoFullName, input.prNumber);
    const sel = { project: cmd.project, dir: cmd.dir, workspace: cmd.workspace, extraArgs: cmd.extraArgs, verbose: cmd.verbose, commentId: input.commentId, source: 'pr_comment' as const };
    switch (cmd.name) {
      case 'plan':
      case 'apply': {
        pullRequests.assertActionable(pull);
        Object.assign(started, { kind: cmd.name, sha: pull.headSha });
        await vcs.setCommitStatus(pull.repoFullName, pull.headSha, pendingStatus(cmd.name));
        return { kind: 'queued', batch: await (cmd.name === 'plan' ? pullRequests.plan(actor, pull, sel) : pullRequests.apply(actor, pull, sel)) };
      }
      case 'unlock':
        return { kind: 'unlocked', locks: await pullRequests.unlock(actor, pull) };
      case 'cancel':
        return { kind: 'canceled', runs: await pullRequests.cancel(actor, pull) };
      case 'version':
        return { kind: 'version', terraformVersion: await this.deps.runner.version() };
      case 'approve_policies':
        return { kind: 'no_policies' };
      default:
        return { kind: 'unsupported', command: cmd.name };
    }
  }

  private async setStatus(repo: string, sha: string, status: ReturnType<typeof failedStatus>): Promise<void> {
    await this.deps.vcs.setCommitStatus(repo, sha, status).catch((err) => this.deps.log.warn({ err }, 'could not set the commit status'));
  }
}
