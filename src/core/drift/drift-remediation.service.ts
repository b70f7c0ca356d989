import { randomUUID } from 'node:crypto';
import { mayApplyWithoutApproval, requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { CommandService } from '../commands/command.service.js';
import { InputError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { EnqueueResult, RunsService } from '../runs/runs.service.js';
import type { Run } from '../runs/run.model.js';
import type { DriftRecord } from './drift-record.js';
import { viewRemediation, type Remediation, type RemediationAction, type RemediationEntry, type RemediationView } from './drift-remediation.js';
import type { DriftRepository } from './drift.repository.js';
import type { RemediationRepository } from './remediation.repository.js';

export interface RemediateInput {
  repository: string;
  ref: string;
  action: RemediationAction;
  /** atlantis.yaml project names (or registered project names); empty: the projects drift detection knows */
  projects?: string[];
  workspaces?: string[];
  driftOnly?: boolean;
}

export interface RemediateOptions {
  /** false: return once the runs are queued (default: wait until they settle) */
  wait?: boolean;
  /** a plan is kept, holding its lock, to be applied by run id */
  keepPlan?: boolean;
}

/** Who holds the locks of a remediation's runs: a later remediation supersedes its waiting plan, nobody else's. */
const REMEDIATION_LOCK_HOLDER = 'drift-remediation';

interface Deps {
  commands: CommandService;
  runs: RunsService;
  drift: DriftRepository;
  repo: RemediationRepository;
  audit: AuditLog;
  clock: Clock;
  waitMs: number;
}

/**
 * Remediating drift is an ordinary plan, or an ordinary apply through the run engine's approval
 * rules: a person's apply goes ahead; an automated caller's (the Atlantis API secret, an agent)
 * waits `planned` for a person's approval. Atlantis's `/api/apply` policy does not carry over: a
 * remediation is exactly the unattended destructive step an agent must not take alone.
 */
export class DriftRemediationService {
  constructor(private readonly deps: Deps) {}

  async remediate(actor: Actor, input: RemediateInput): Promise<RemediationView> {
    requirePermission(actor, input.action === 'plan' ? 'run:plan' : 'run:apply');
    const known = await this.deps.drift.list(actor.tenantId, { repoFullName: input.repository });
    return this.run(actor, input, pickTargets(input, known), known);
  }

  /**
   * Remediates one drift record (a notification's "Plan remediation" button, an agent's
   * auto_remediate). `wait: false` returns once the runs are queued; `keepPlan` keeps a plan to be
   * applied by run id later (POST /api/v1/runs/{id}/apply, Slack's Approve apply): the apply is
   * then an ordinary one, with its permission and approval rules.
   */
  async remediateRecord(actor: Actor, driftId: string, action: RemediationAction, options: RemediateOptions = {}): Promise<RemediationView> {
    requirePermission(actor, action === 'plan' ? 'run:plan' : 'run:apply');
    const [record] = isUuid(driftId) ? await this.deps.drift.list(actor.tenantId, { ids: [driftId] }) : [];
    if (!record) throw new NotFoundError(`drift record ${driftId} not found`, { code: 'drift_not_found' });
    const targets = record.projectName ? { names: [record.projectName], paths: [] } : { names: [], paths: [{ dir: record.dir, workspace: record.workspace }] };
    return this.run(actor, { repository: record.repoFullName, ref: record.ref, action, driftOnly: true }, targets, [record], options);
  }

  private async run(actor: Actor, input: RemediateInput, targets: Targets, known: DriftRecord[], options: RemediateOptions = {}): Promise<RemediationView> {
    const asker: Actor = { ...actor, applyPolicy: undefined };
    const results: EnqueueResult[] = [];
    const submit = async (selection: { projects?: string[]; paths?: { dir: string; workspace: string }[] }) =>
      results.push(...(await this.deps.commands.submit(asker, {
        operation: input.action, source: 'drift', repoFullName: input.repository, ref: input.ref, ...selection,
        autoApply: input.action === 'apply' && mayApplyWithoutApproval(asker), lockHolderName: REMEDIATION_LOCK_HOLDER,
        title: `drift remediation: ${input.action}`, keepPlan: input.action === 'plan' && !!options.keepPlan,
      })).results);
    if (targets.names.length) await submit({ projects: targets.names });
    if (targets.paths.length) await submit({ paths: targets.paths });
    const remediation: Remediation = {
      id: randomUUID(), tenantId: actor.tenantId, repoFullName: input.repository, ref: input.ref, action: input.action, driftOnly: !!input.driftOnly,
      actorName: actor.name, startedAt: this.deps.clock.now(),
      projects: results
        .filter((r) => !input.workspaces?.length || input.workspaces.includes(r.target.workspace))
        .map((r) => entryOf(r, known)),
    };
    await this.deps.repo.insert(remediation);
    await this.deps.audit.record(actor, `drift.remediate_${input.action}`, { type: 'drift_remediation', id: remediation.id }, { repo: input.repository, projects: remediation.projects.length });
    const ids = remediation.projects.flatMap((p) => (p.runId ? [p.runId] : []));
    const runs = !ids.length ? [] : options.wait === false ? await this.deps.runs.byIds(actor, ids) : await this.deps.runs.waitForSettled(actor, ids, this.deps.waitMs);
    return viewRemediation(remediation, new Map(runs.map((r) => [r.id, r])));
  }

  async get(actor: Actor, id: string): Promise<RemediationView> {
    requirePermission(actor, 'run:read');
    const r = isUuid(id) ? await this.deps.repo.get(actor.tenantId, id) : null;
    if (!r) throw new NotFoundError(`remediation ${id} not found`, { code: 'remediation_not_found' });
    return viewRemediation(r, await this.runsOf(actor, [r]));
  }

  async list(actor: Actor, repository: string, limit = 50): Promise<RemediationView[]> {
    requirePermission(actor, 'run:read');
    const list = await this.deps.repo.list(actor.tenantId, repository, limit);
    const runs = await this.runsOf(actor, list);
    return list.map((r) => viewRemediation(r, runs));
  }

  private async runsOf(actor: Actor, list: Remediation[]): Promise<Map<string, Run>> {
    const ids = list.flatMap((r) => r.projects.flatMap((p) => (p.runId ? [p.runId] : [])));
    return new Map((await this.deps.runs.byIds(actor, ids)).map((r) => [r.id, r]));
  }
}

/** Named projects go by name, the others by directory and workspace, as detection recorded them. */
interface Targets {
  names: string[];
  paths: { dir: string; workspace: string }[];
}

function pickTargets(input: RemediateInput, known: DriftRecord[]): Targets {
  const inWorkspace = (r: DriftRecord) => !input.workspaces?.length || input.workspaces.includes(r.workspace);
  if (input.projects?.length) {
    const drifted = (name: string) => known.some((r) => (r.projectName === name || r.dir === name) && r.hasDrift && inWorkspace(r));
    const names = input.driftOnly ? input.projects.filter(drifted) : input.projects;
    if (!names.length) throw new InputError(`none of ${input.projects.join(', ')} has detected drift; run POST /api/drift/detect first, or leave drift_only out`, { code: 'validation_error' });
    return { names, paths: [] };
  }
  const chosen = known.filter((r) => inWorkspace(r) && (!input.driftOnly || r.hasDrift));
  if (!chosen.length) {
    throw new InputError(
      `no ${input.driftOnly ? 'drifted projects' : 'drift detection data'} for ${input.repository}${input.workspaces?.length ? ` in workspaces ${input.workspaces.join(', ')}` : ''}; ` +
        'run POST /api/drift/detect first, or name the projects', { code: 'validation_error' },
    );
  }
  return {
    names: [...new Set(chosen.filter((r) => r.projectName).map((r) => r.projectName))],
    paths: chosen.filter((r) => !r.projectName).map((r) => ({ dir: r.dir, workspace: r.workspace })),
  };
}

function entryOf(r: EnqueueResult, known: DriftRecord[]): RemediationEntry {
  const record = known.find((k) => k.dir === r.target.dir && k.workspace === r.target.workspace && k.projectName === r.target.projectName);
  const driftBefore = record && record.hasDrift !== null ? { ...record.counts, summary: record.summary ?? '', changesOutside: record.changesOutside } : null;
  return {
    projectName: r.target.projectName, dir: r.target.dir, workspace: r.target.workspace, runId: r.run?.id ?? null,
    failure: r.run ? null : r.failure, driftBefore,
  };
}
