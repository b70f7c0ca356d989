import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../../logger.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ApprovalsService } from '../approvals/approvals.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import { systemActors } from '../auth/system-actors.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { ConflictError, InputError, LockedError, NotAllowedError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { RunEvents } from '../runs/run-events.js';
import type { RunLogs } from '../runs/run-logs.js';
import type { Run } from '../runs/run.model.js';
import type { RunRepository } from '../runs/run.repository.js';
import { ACTIVE_STATUSES, isTerminal, type RunOperation, type RunStatus } from '../runs/run-status.js';
import type { RunsService } from '../runs/runs.service.js';
import type { Encryptor } from '../secrets/encryption.js';
import { DEFAULT_ARCHIVE_LIMITS, inspectArchive, type ArchiveLimits } from '../terraform/config-archive.js';
import { archiveAad, type TfeConfigurationVersion, type TfeConfigurationVersionRepository } from './tfe-configuration-version.repository.js';
import { tfeRunArgs } from './tfe-run-args.js';
import { applyStatus, FINAL_PHASE, planStatus, tfeRunView, type TfeRunView } from './tfe-run-view.js';
import type { TfeRunRepository, TfeRunRow, TfeRunTrigger, TfeRunTriggerRepository } from './tfe-run.repository.js';
import type { TfeWorkspacesService } from './tfe-workspaces.service.js';
import type { TfeWorkspaceRow } from './tfe-workspace.repository.js';

/** How long a configuration version's upload URL works (it works once). */
export const UPLOAD_URL_TTL_MS = 10 * 60_000;
/** How long a log-read-url works; the CLI reads it while it waits for the run, then asks for the plan again. */
export const LOG_URL_TTL_MS = 24 * 3_600_000;
/** The most of a log one read answers (the CLI asks 64 KiB at a time). */
const MAX_LOG_SLICE = 1024 * 1024;
/** The most source workspaces one workspace's inbound run triggers may name (as TFC). */
export const MAX_TRIGGER_SOURCES = 20;

/** The 3 lines the CLI drops from the top of an apply log (TFE prints a preamble there). */
export const APPLY_LOG_PREAMBLE = 'Terraform remote apply (Atlantas)\nApplying the saved plan of this run\n\n';

export interface NewConfigurationVersion {
  autoQueueRuns?: boolean;
  speculative?: boolean;
  provisional?: boolean;
}

export interface NewTfeRun {
  workspaceId: string;
  configurationVersionId?: string | null;
  isDestroy?: boolean;
  refreshOnly?: boolean;
  planOnly?: boolean;
  message?: string;
  targetAddrs?: string[];
  replaceAddrs?: string[];
  variables?: { key: string; value: string }[];
  /** the CLI's `apply -auto-approve`: apply as soon as the plan is made */
  autoApply?: boolean | null;
}

export type LogPhase = 'plan' | 'apply';

interface Deps {
  sequelize: Sequelize;
  workspaces: TfeWorkspacesService;
  configurationVersions: TfeConfigurationVersionRepository;
  tfeRuns: TfeRunRepository;
  triggers: TfeRunTriggerRepository;
  runs: RunsService;
  runRepo: RunRepository;
  logs: RunLogs;
  events: RunEvents;
  approvals: ApprovalsService;
  encryptor: Encryptor;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  archiveLimits?: ArchiveLimits;
}

/**
 * TFE remote runs (issue 15 part 4): configuration versions (uploads of a configuration), runs
 * (Atlantas runs of an uploaded configuration, through RunsService: the same queue, locks,
 * sandbox, runners and approval gate), their plan/apply logs and run triggers. An organization
 * is a tenant; whatever is not the caller's tenant's does not exist (404).
 */
export class TfeRunsService {
  private readonly logKey: Buffer;

  constructor(private readonly deps: Deps) {
    this.logKey = deps.encryptor.derive('tfe-run-log-url');
  }

  // ---- configuration versions --------------------------------------------------------------

  /** A new configuration version and its upload URL's token (shown once, kept as a hash). */
  async createConfigurationVersion(actor: Actor, workspaceId: string, input: NewConfigurationVersion): Promise<{ cv: TfeConfigurationVersion; uploadToken: string }> {
    requirePermission(actor, 'run:plan');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    const uploadToken = randomBytes(32).toString('base64url');
    const cv = await this.deps.configurationVersions.insert({
      id: `cv-${randomBytes(12).toString('hex')}`, tenantId: actor.tenantId, workspaceId: ws.id,
      autoQueueRuns: input.autoQueueRuns ?? true, speculative: input.speculative ?? false, provisional: input.provisional ?? false,
      uploadExpiresAt: new Date(this.deps.clock.now().getTime() + UPLOAD_URL_TTL_MS), actor: storedActor(actor), tokenHash: sha256(uploadToken),
    });
    await this.deps.audit.record(actor, 'tfe.configuration_version.create', { type: 'tfe_configuration_version', id: cv.id }, { workspace: ws.name, speculative: cv.speculative });
    return { cv, uploadToken };
  }

  async getConfigurationVersion(actor: Actor, id: string): Promise<TfeConfigurationVersion> {
    requirePermission(actor, 'run:read');
    const cv = await this.deps.configurationVersions.find(actor.tenantId, id);
    if (!cv) throw cvNotFound(id);
    return cv;
  }

  async listConfigurationVersions(actor: Actor, workspaceId: string, page: { page: number; size: number }): Promise<{ items: TfeConfigurationVersion[]; total: number }> {
    requirePermission(actor, 'run:read');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    return this.deps.configurationVersions.list(actor.tenantId, ws.id, page.size, (page.page - 1) * page.size);
  }

  /**
   * The upload URL (no Authorization: its one-use token is the credential). The archive is
   * judged whole (limits, every entry) before it is kept, sealed; a refused archive leaves the
   * version `errored` and nothing stored. With auto-queue-runs a run is queued as its creator.
   */
  async upload(id: string, token: string, body: Buffer): Promise<void> {
    const cv = await this.deps.configurationVersions.claimUpload(id, sha256(token), this.deps.clock.now());
    if (!cv) throw new NotFoundError('this upload URL is unknown, used or expired: create a new configuration version', { code: 'upload_url_invalid' });
    let summary;
    try {
      summary = await inspectArchive(body, this.deps.archiveLimits ?? DEFAULT_ARCHIVE_LIMITS);
    } catch (err) {
      // Only the archive rules' own refusal is told; anything else stays in the server's log.
      const refusal = err instanceof InputError ? err : new InputError('configuration archive refused: it could not be read', { code: 'configuration_archive_refused' });
      if (refusal !== err) this.deps.log.warn({ err, configurationVersion: cv.id }, 'a configuration archive could not be read');
      await this.deps.configurationVersions.markErrored(cv.id, refusal.message);
      throw refusal;
    }
    await this.deps.configurationVersions.markUploaded(cv.id, this.deps.encryptor.seal(body, archiveAad(cv.id)), summary.sha256, body.length);
    if (cv.autoQueueRuns && !cv.provisional) {
      await this.createRun(cv.actor, { workspaceId: cv.workspaceId, configurationVersionId: cv.id }).catch((err: unknown) => {
        this.deps.log.warn({ err, configurationVersion: cv.id }, 'the configuration was uploaded, but its run could not be queued');
      });
    }
  }

  /** The archive of a run, for the runner executing it: the caller must be that run's own credential. */
  async archiveForRun(actor: Actor, runId: string): Promise<Buffer> {
    if (!actor.runId || actor.runId !== runId) throw new NotAllowedError('only the run\'s own credential fetches its configuration', { code: 'forbidden' });
    const run = await this.deps.runRepo.get(actor.tenantId, runId);
    if (!run || run.source !== 'tfe') throw new NotFoundError(`run ${runId} not found`, { code: 'run_not_found' });
    const sealed = await this.deps.configurationVersions.archive(actor.tenantId, run.ref);
    if (!sealed) throw cvNotFound(run.ref);
    return this.deps.encryptor.open(sealed, archiveAad(run.ref));
  }

  // ---- runs ----------------------------------------------------------------------------------

  /** Queues a run of a workspace's configuration version through RunsService (its permission, lock, sandbox and auto-apply rules). */
  async createRun(actor: Actor, input: NewTfeRun, triggeredBy: string | null = null): Promise<TfeRunView> {
    const ws = await this.deps.workspaces.require(actor, input.workspaceId);
    if (ws.executionMode === 'local') {
      throw new ConflictError(`workspace "${ws.name}" uses local execution mode: set execution-mode to "remote" for runs on the server`, { code: 'workspace_local_execution' });
    }
    const cv = input.configurationVersionId
      ? await this.deps.configurationVersions.find(actor.tenantId, input.configurationVersionId)
      : await this.deps.configurationVersions.latestUploaded(actor.tenantId, ws.id);
    if (!cv || cv.workspaceId !== ws.id) {
      throw input.configurationVersionId ? cvNotFound(input.configurationVersionId) : new InputError(`workspace "${ws.name}" has no uploaded configuration version yet`, { code: 'validation_error' });
    }
    if (cv.status !== 'uploaded' || !cv.archiveSha256) {
      throw new InputError(`configuration version ${cv.id} is ${cv.status}${cv.errorMessage ? ` (${cv.errorMessage})` : ''}: a run needs an uploaded configuration`, { code: 'validation_error' });
    }
    const planOnly = !!input.planOnly || cv.speculative;
    if (input.isDestroy && input.refreshOnly) throw new InputError('data.attributes: is-destroy and refresh-only exclude each other', { code: 'validation_error' });
    const operation: RunOperation = planOnly ? 'plan' : input.refreshOnly ? 'refresh' : input.isDestroy ? 'destroy' : 'apply';
    // the one rule of RunsService.enqueue, asked before anything else is judged (a viewer's apply is refused as an apply)
    requirePermission(actor, operation === 'plan' || operation === 'refresh' ? 'run:plan' : 'run:apply');
    const targetAddrs = input.targetAddrs ?? [];
    const replaceAddrs = input.replaceAddrs ?? [];
    const extraArgs = tfeRunArgs({ variables: input.variables ?? [], targetAddrs, replaceAddrs });
    // A run's own auto-apply (the CLI always sends it: true for -auto-approve) wins over the workspace's, as in TFE.
    const runAutoApply = input.autoApply ?? null;
    // A speculative plan takes a lock of its own: it never waits behind, nor supersedes, an apply waiting for confirmation.
    const projectName = planOnly ? `${ws.name} (speculative ${randomBytes(4).toString('hex')})` : ws.name;
    const { results } = await this.deps.runs.enqueue(actor, {
      operation, source: 'tfe', extraArgs, autoApply: !planOnly && runAutoApply === true, title: input.message ?? '',
      holder: { kind: 'actor', name: `tfe workspace ${projectName}`, lockedBy: actor.name },
      targets: [{
        repoFullName: `tfe/${ws.id}`, repoUrl: '', dir: ws.workingDirectory.replace(/^\/+|\/+$/g, '') || '.', workspace: ws.stateWorkspace,
        projectName, ref: cv.id, commitSha: cv.archiveSha256, projectId: ws.projectId, stateName: ws.stateName, autoApply: runAutoApply === null && ws.autoApply,
        // agent mode: the workspace's pool runs it, with or without a project (a project's pool is the same one)
        runnerPoolId: ws.executionMode === 'agent' ? ws.agentPoolId : null,
      }],
    });
    const [result] = results;
    if (!result.run) throw new LockedError(result.failure, result.lock, { code: 'run.lock_held' });
    const row: Omit<TfeRunRow, 'createdAt'> = {
      runId: result.run.id, tenantId: actor.tenantId, workspaceId: ws.id, configurationVersionId: cv.id, message: input.message ?? '',
      isDestroy: !!input.isDestroy, refreshOnly: !!input.refreshOnly, planOnly, targetAddrs, replaceAddrs, triggeredBy,
    };
    await this.deps.tfeRuns.insert(row);
    return tfeRunView(actor, result.run, { ...row, createdAt: result.run.createdAt });
  }

  async getRun(actor: Actor, id: string): Promise<TfeRunView> {
    const runId = runUuid(id);
    const run = await this.deps.runs.get(actor, runId).catch((err: unknown) => {
      throw err instanceof NotFoundError ? runNotFound(id) : err;
    });
    const tfe = await this.deps.tfeRuns.find(actor.tenantId, run.id);
    if (!tfe) throw runNotFound(id);
    return tfeRunView(actor, run, tfe);
  }

  async listRuns(actor: Actor, workspaceId: string, page: { page: number; size: number }): Promise<{ items: TfeRunView[]; total: number }> {
    requirePermission(actor, 'run:read');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    const { items, total } = await this.deps.tfeRuns.list(actor.tenantId, ws.id, page.size, (page.page - 1) * page.size);
    const runs = await this.deps.runs.byIds(actor, items.map((r) => r.runId));
    const byId = new Map(runs.map((r) => [r.id, r]));
    return { items: items.flatMap((t) => (byId.has(t.runId) ? [tfeRunView(actor, byId.get(t.runId)!, t)] : [])), total };
  }

  /**
   * The CLI's "yes" (actions/apply) and actions/confirm: the approval gate decides. A person
   * confirms at once; an automated token applies only under its policy, otherwise a request for
   * a human is recorded and the refusal names it.
   */
  async confirm(actor: Actor, id: string, comment?: string): Promise<TfeRunView> {
    const view = await this.getRun(actor, id);
    const outcome = await this.deps.approvals.applyRun(actor, view.run.id, comment || 'confirmed through the TFE API');
    if (outcome.status !== 'confirmed') {
      throw new NotAllowedError(
        `${actor.name} is an automated agent: an apply needs a human's approval (${outcome.why}); approval request ${outcome.approval.id} waits for a person ` +
          `(POST /api/v1/approvals/${outcome.approval.id}/approve)`,
        { code: 'run.human_approval_required', details: { approval_id: outcome.approval.id } },
      );
    }
    return this.getRun(actor, id);
  }

  async discard(actor: Actor, id: string): Promise<TfeRunView> {
    const view = await this.getRun(actor, id);
    await this.deps.runs.discard(actor, view.run.id);
    return this.getRun(actor, id);
  }

  /** cancel and force-cancel: queued or waiting runs end at once; a running terraform is stopped by its worker (SIGINT, then SIGKILL). */
  async cancel(actor: Actor, id: string): Promise<TfeRunView> {
    const view = await this.getRun(actor, id);
    if (view.run.cancelRequestedAt && !isTerminal(view.run.status)) return view; // already being stopped
    await this.deps.runs.cancel(actor, view.run.id);
    return this.getRun(actor, id);
  }

  /** A new run of the same configuration and attributes; only of a run that has ended. */
  async retry(actor: Actor, id: string): Promise<TfeRunView> {
    const view = await this.getRun(actor, id);
    if (!isTerminal(view.run.status)) throw new ConflictError(`run ${id} is ${view.run.status}: only a run that has ended can be retried`, { code: 'run_not_finished' });
    const { tfe, run } = view;
    const retried = await this.createRun(actor, {
      workspaceId: tfe.workspaceId, configurationVersionId: tfe.configurationVersionId, isDestroy: tfe.isDestroy, refreshOnly: tfe.refreshOnly,
      planOnly: tfe.planOnly, message: tfe.message, targetAddrs: tfe.targetAddrs, replaceAddrs: tfe.replaceAddrs, variables: variablesOf(run.extraArgs),
      autoApply: run.autoApply,
    });
    await this.deps.audit.record(actor, 'tfe.run.retry', { type: 'run', id: retried.run.id }, { retry_of: run.id });
    return retried;
  }

  /** The organization's runs not yet ended, in queue order (GET organizations/{org}/runs/queue). */
  async queue(actor: Actor, org: string): Promise<{ id: string; status: RunStatus; position: number; workspaceId: string }[]> {
    await this.deps.workspaces.organization(actor, org);
    requirePermission(actor, 'run:read');
    const rows = await this.deps.tfeRuns.unfinished(actor.tenantId);
    let position = 0;
    return rows.map((r) => ({ id: r.runId, status: r.status as RunStatus, workspaceId: r.workspaceId, position: r.status === 'pending' ? ++position : 0 }));
  }

  async capacity(actor: Actor, org: string): Promise<{ pending: number; running: number }> {
    const queue = await this.queue(actor, org);
    return { pending: queue.filter((r) => r.status === 'pending').length, running: queue.filter((r) => ACTIVE_STATUSES.includes(r.status)).length };
  }

  // ---- logs ----------------------------------------------------------------------------------

  /** The capability token of a phase's log-read-url (the CLI replaces the URL's query: it lives in the path). */
  logToken(run: Pick<Run, 'id'>, phase: LogPhase): string {
    const exp = Math.floor((this.deps.clock.now().getTime() + LOG_URL_TTL_MS) / 1000);
    return `${exp}.${this.logMac(run.id, phase, exp)}`;
  }

  /**
   * A byte slice of the phase's log: STX, the output so far (sealed at rest, opened here), and
   * ETX once the phase is over. An apply log starts with the 3 lines the CLI drops.
   */
  /** A byte slice of the phase's log, at most MAX_LOG_SLICE bytes whatever `limit` asks. */
  async readLog(runId: string, phase: LogPhase, token: string, offset: number, limit: number): Promise<Buffer> {
    limit = Math.min(limit, MAX_LOG_SLICE);
    const [expRaw, mac] = token.split('.');
    const exp = Number(expRaw);
    const expected = Number.isInteger(exp) ? this.logMac(runId, phase, exp) : '';
    if (!mac || !expected || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected)) || exp * 1000 < this.deps.clock.now().getTime()) {
      throw new NotFoundError('this log URL is unknown or expired: read the plan or apply again for a fresh one', { code: 'log_url_invalid' });
    }
    const run = isUuid(runId) ? await this.deps.runRepo.getById(runId) : null;
    if (!run) throw new NotFoundError('this log URL is unknown or expired', { code: 'log_url_invalid' });
    const text = await this.phaseText(run, phase);
    const final = FINAL_PHASE.includes(phase === 'plan' ? planStatus(run) : applyStatus(run));
    const whole = Buffer.from(`\u0002${phase === 'apply' && text ? APPLY_LOG_PREAMBLE : ''}${text}${final ? '\u0003' : ''}`);
    return whole.subarray(Math.min(offset, whole.length), Math.min(offset + limit, whole.length));
  }

  /**
   * Which chunks a phase's log holds: the plan log is everything up to the plan's last output
   * (its init and plan); the apply log what came after (the apply job's init, then apply).
   */
  private async phaseText(run: Run, phase: LogPhase): Promise<string> {
    const chunks = await this.deps.logs.read(run.id, 0, 1_000_000);
    let cut = -1;
    for (const [i, c] of chunks.entries()) if (c.phase === 'plan') cut = i;
    if (cut < 0) cut = run.plannedAt ? -1 : chunks.length - 1;
    const picked = phase === 'plan' ? chunks.slice(0, cut + 1) : chunks.slice(cut + 1);
    return picked.map((c) => c.chunk).join('');
  }

  private logMac(runId: string, phase: LogPhase, exp: number): string {
    return createHmac('sha256', this.logKey).update(`${runId}:${phase}:${exp}`).digest('base64url');
  }

  /** Live status changes of a workspace's runs (the SSE `run_update` events), until `signal` aborts. */
  async workspaceRunEvents(actor: Actor, workspaceId: string, signal: AbortSignal): Promise<AsyncGenerator<TfeRunView>> {
    requirePermission(actor, 'run:read');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    return this.runUpdates(actor, ws.id, signal);
  }

  private async *runUpdates(actor: Actor, workspaceId: string, signal: AbortSignal): AsyncGenerator<TfeRunView> {
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    const off = this.deps.events.onStatus(({ runId }) => {
      queue.push(runId);
      wake?.();
    });
    const stop = () => wake?.();
    signal.addEventListener('abort', stop);
    try {
      while (!signal.aborted) {
        if (!queue.length) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        for (const runId of queue.splice(0)) {
          const tfe = await this.deps.tfeRuns.find(actor.tenantId, runId);
          if (!tfe || tfe.workspaceId !== workspaceId) continue;
          const run = await this.deps.runs.get(actor, runId);
          yield tfeRunView(actor, run, tfe);
        }
      }
    } finally {
      off();
      signal.removeEventListener('abort', stop);
    }
  }

  // ---- run triggers --------------------------------------------------------------------------

  async createTrigger(actor: Actor, workspaceId: string, sourceableId: string): Promise<TfeRunTrigger> {
    requirePermission(actor, 'project:write');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    const source = await this.deps.workspaces.require(actor, sourceableId);
    if (source.id === ws.id) throw new InputError('a workspace cannot trigger its own runs: choose another source workspace', { code: 'validation_error' });
    const trigger = await inTransaction(this.deps.sequelize, undefined, async (t) => {
      const inbound = await this.deps.triggers.list(actor.tenantId, ws.id, 'inbound', t);
      if (inbound.some((r) => r.sourceableId === source.id)) throw duplicateTrigger(source, ws);
      if (inbound.length >= MAX_TRIGGER_SOURCES) throw new InputError(`workspace "${ws.name}" already has ${MAX_TRIGGER_SOURCES} source workspaces, the most it may have`, { code: 'validation_error' });
      const created = await this.deps.triggers.insert({ id: `rt-${randomBytes(12).toString('hex')}`, tenantId: actor.tenantId, workspaceId: ws.id, sourceableId: source.id }, t);
      if (!created) throw duplicateTrigger(source, ws);
      await this.deps.audit.record(actor, 'tfe.run_trigger.create', { type: 'tfe_run_trigger', id: created.id }, { workspace: ws.name, source: source.name }, { transaction: t });
      return created;
    });
    return trigger;
  }

  async listTriggers(actor: Actor, workspaceId: string, direction: string | undefined): Promise<TfeRunTrigger[]> {
    requirePermission(actor, 'project:read');
    if (direction !== 'inbound' && direction !== 'outbound') {
      throw new InputError('filter[run-trigger][type] is required: inbound or outbound', { code: 'validation_error' });
    }
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    return this.deps.triggers.list(actor.tenantId, ws.id, direction);
  }

  async getTrigger(actor: Actor, id: string): Promise<TfeRunTrigger> {
    requirePermission(actor, 'project:read');
    const trigger = await this.deps.triggers.find(actor.tenantId, id);
    if (!trigger) throw new NotFoundError(`run trigger ${id} not found`, { code: 'run_trigger_not_found' });
    return trigger;
  }

  async deleteTrigger(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'project:write');
    const trigger = await this.getTrigger(actor, id);
    await this.deps.triggers.delete(actor.tenantId, trigger.id);
    await this.deps.audit.record(actor, 'tfe.run_trigger.delete', { type: 'tfe_run_trigger', id }, {});
  }

  /** Told in the transaction that ends a run: once it commits, an applied TFE run queues its downstream workspaces' runs. */
  async runFinished(run: Run, status: RunStatus, t: Transaction): Promise<void> {
    if (status !== 'applied' || run.source !== 'tfe') return;
    t.afterCommit(() => {
      void this.fireTriggers(run).catch((err: unknown) => this.deps.log.warn({ err, runId: run.id }, 'run triggers could not queue their runs'));
    });
  }

  private async fireTriggers(upstream: Run): Promise<void> {
    const tfe = await this.deps.tfeRuns.find(upstream.tenantId, upstream.id);
    if (!tfe) return;
    const actor = systemActors.tfeRunTrigger(upstream.tenantId);
    for (const trigger of await this.deps.triggers.list(upstream.tenantId, tfe.workspaceId, 'outbound')) {
      const cv = await this.deps.configurationVersions.latestUploaded(upstream.tenantId, trigger.workspaceId);
      if (!cv) continue;
      await this.createRun(actor, { workspaceId: trigger.workspaceId, configurationVersionId: cv.id, message: `Triggered by run run-${upstream.id}` }, upstream.id).catch((err: unknown) => {
        this.deps.log.warn({ err, trigger: trigger.id }, 'a run trigger could not queue its run');
      });
    }
  }
}

/** What of the caller is kept for work done later in its name (auto-queued runs): never its credential. */
function storedActor(actor: Actor): Actor {
  const { sessionId: _s, ...rest } = actor as Actor & { sessionId?: string };
  return rest;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** TFE run ids are `run-<uuid>`; plans `plan-<uuid>` and applies `apply-<uuid>` of the same run. */
export function runUuid(id: string): string {
  const m = /^(?:run|plan|apply)-(.+)$/.exec(id);
  return m ? m[1] : id;
}

const runNotFound = (id: string) => new NotFoundError(`run ${id} not found`, { code: 'run_not_found' });
const cvNotFound = (id: string) => new NotFoundError(`configuration version ${id} not found`, { code: 'configuration_version_not_found' });
const duplicateTrigger = (source: TfeWorkspaceRow, ws: TfeWorkspaceRow) =>
  new InputError(`workspace "${source.name}" already triggers runs in "${ws.name}"`, { code: 'validation_error' });

/** The run-level variables back out of a run's extra args (for retry). */
function variablesOf(extraArgs: string[]): { key: string; value: string }[] {
  return extraArgs.flatMap((a) => {
    const m = /^-var=([^=]+)=([\s\S]*)$/.exec(a);
    if (!m) return [];
    const raw = m[2];
    const looksHcl = /^[[{]/.test(raw) || /^(true|false|null|-?\d+(\.\d+)?)$/.test(raw);
    return [{ key: m[1], value: looksHcl ? raw : JSON.stringify(raw) }];
  });
}
