import type { DriftRepository } from '../drift/drift.repository.js';
import type { DriftRecord } from '../drift/drift-record.js';
import type { Project } from '../projects/project.model.js';
import { repoFullNameOf } from '../commands/registered-projects.js';
import type { Run } from '../runs/run.model.js';
import type { RunRepository } from '../runs/run.repository.js';
import type { Evidence } from './evidence.js';
import type { EvidenceRepository, EvidenceScope, LockEventRow, PrApplyRow, StateWriteRow } from './evidence.repository.js';

/** Which projects, and when: the incident's projects (or the tenant's), from `from` to `to`. */
export interface CollectRequest {
  tenantId: string;
  projects: Project[];
  from: Date;
  to: Date;
}

const CHANGING = new Set(['create', 'update', 'delete', 'replace', 'import', 'forget']);

/**
 * Gathers the evidence of a window on some projects: applies, state writes (those not written by
 * one of those applies), lock events and pull requests applied; and the drift records of the projects. Each row in the
 * tenant only, opened (unsealed) through the repositories that own it.
 */
export class EvidenceCollector {
  constructor(private readonly deps: { repo: EvidenceRepository; runs: RunRepository; drift: DriftRepository }) {}

  scopeOf(projects: Project[]): EvidenceScope {
    return {
      projectIds: projects.map((p) => p.id),
      targets: projects.filter((p) => p.repositoryUrl).map((p) => ({ repoFullName: repoFullNameOf(p.repositoryUrl), dir: p.terraformPath })),
    };
  }

  async collect(req: CollectRequest): Promise<{ evidence: Evidence[]; drift: DriftRecord[]; runs: Run[] }> {
    const scope = this.scopeOf(req.projects);
    const name = projectNamer(req.projects);
    const runs = await this.runsByIds(req.tenantId, await this.deps.repo.applyRunIds(req.tenantId, scope, req.from, req.to));
    const stateNames = [...new Set([...(await this.deps.repo.stateNames(req.tenantId, scope)), ...req.projects.map((p) => p.name)])];
    const writes = await this.deps.repo.stateWrites(req.tenantId, scope.projectIds, stateNames, req.from, req.to);
    const stateIds = [...new Set(writes.map((w) => w.stateId))];
    const lockKeys = scope.targets.map((t) => `${t.repoFullName}/${t.dir}/`);
    const locks = await this.deps.repo.lockEvents(req.tenantId, stateIds, lockKeys, req.from, req.to);
    const prs = await this.deps.repo.prApplies(req.tenantId, [...new Set(scope.targets.map((t) => t.repoFullName))], req.from, req.to);
    const drift = await this.driftOf(req.tenantId, scope);
    const runIds = new Set(runs.map((r) => r.id));
    const evidence: Evidence[] = [
      ...runs.map((r) => applyEvidence(r, name)),
      // a state version written by one of these runs is part of that apply, not a cause of its own
      ...writes.filter((w) => !runIds.has(runOfWriter(w) ?? '')).map((w) => stateWriteEvidence(w, req.projects)),
      ...locks.map((l) => lockEvidence(l, req.projects)),
      ...prs.map((p) => prEvidence(p, runs)),
    ];
    return { evidence, drift, runs };
  }

  private async runsByIds(tenantId: string, ids: string[]): Promise<Run[]> {
    const runs = (await this.deps.runs.findByIds(ids)).filter((r) => r.tenantId === tenantId);
    return ids.flatMap((id) => runs.filter((r) => r.id === id));
  }

  async driftOf(tenantId: string, scope: EvidenceScope): Promise<DriftRecord[]> {
    const byProject = scope.projectIds.length ? await Promise.all(scope.projectIds.map((projectId) => this.deps.drift.list(tenantId, { projectId }))) : [];
    const byPath = await Promise.all(scope.targets.map(async (t) => (await this.deps.drift.list(tenantId, { repoFullName: t.repoFullName })).filter((d) => d.dir === t.dir)));
    const seen = new Map<string, DriftRecord>();
    for (const d of [...byProject.flat(), ...byPath.flat()]) seen.set(d.id, d);
    return [...seen.values()];
  }

  async runs(tenantId: string, ids: string[]): Promise<Run[]> {
    return this.runsByIds(tenantId, ids);
  }
}

/** Drifted addresses of a record: what changed outside terraform, and what the code would change. */
export function driftAddresses(d: DriftRecord): string[] {
  if (!d.details) return [];
  return [...new Set([...d.details.changesOutside, ...d.details.pendingCodeChanges].map((r) => r.address))];
}

export function changedAddresses(run: Run): string[] {
  return [...new Set((run.resourceChanges ?? []).filter((c) => CHANGING.has(c.action)).map((c) => c.address))];
}

export function projectNamer(projects: Project[]): (projectId: string | null, repo: string, dir: string) => string {
  return (projectId, repo, dir) => projects.find((p) => p.id === projectId)?.name ?? `${repo}/${dir}`;
}

function runOfWriter(w: StateWriteRow): string | null {
  return /^run ([0-9a-f-]{36})$/.exec(w.createdByName)?.[1] ?? null;
}

function applyEvidence(r: Run, name: ReturnType<typeof projectNamer>): Evidence {
  const changes = r.resourceChanges ?? [];
  const at = r.finishedAt ?? r.updatedAt;
  const outcome = r.status === 'applied' ? 'applied' : r.status === 'applying' ? 'was applying' : 'failed to apply';
  return {
    id: `apply:${r.id}`, kind: 'apply', at: new Date(at), projectId: r.projectId, project: name(r.projectId, r.repoFullName, r.dir),
    summary: `${r.operation === 'destroy' ? 'destroy' : 'apply'} of ${r.repoFullName}/${r.dir} (${r.workspace}) ${outcome}${r.summary ? `: ${r.summary}` : ''}`,
    actor: r.approvedBy ?? r.actorName, runId: r.id, prNumber: r.prNumber ?? undefined, prUrl: r.prUrl,
    addresses: changedAddresses(r),
    destroys: changes.filter((c) => c.action === 'delete').length || (r.operation === 'destroy' ? r.resourcesDestroyed ?? 0 : 0),
    replaces: changes.filter((c) => c.action === 'replace').length,
    detail: {
      status: r.status, operation: r.operation, source: r.source, commit: r.commitSha, ref: r.ref, workspace: r.workspace,
      added: r.resourcesAdded, changed: r.resourcesChanged, destroyed: r.resourcesDestroyed,
      changes: changes.filter((c) => CHANGING.has(c.action)).map((c) => ({ address: c.address, action: c.action, attributes: c.attributes ?? [] })),
    },
  };
}

function stateWriteEvidence(w: StateWriteRow, projects: Project[]): Evidence {
  const projectId = w.projectId ?? projects.find((p) => p.name === w.name)?.id ?? null;
  const byRun = runOfWriter(w);
  return {
    id: `state_write:${w.id}`, kind: 'state_write', at: new Date(w.createdAt), projectId, project: projects.find((p) => p.id === projectId)?.name ?? w.name,
    summary: `state ${w.name}/${w.workspace} version ${w.version} (serial ${w.serial}) written ${byRun ? `by run ${byRun}` : `by ${w.createdByName} outside a run`}${w.forced ? ', forced' : ''}`,
    actor: w.createdByName, runId: byRun ?? undefined, addresses: [], destroys: 0, replaces: 0, forced: w.forced,
    detail: { state: w.name, workspace: w.workspace, version: w.version, serial: w.serial, via: w.via, by_run: !!byRun },
  };
}

function lockEvidence(l: LockEventRow, projects: Project[]): Evidence {
  const what = String(l.detail.name ?? l.detail.key ?? l.targetId ?? '');
  const forced = l.action === 'state.force_unlock' || l.action === 'lock.delete';
  return {
    id: `lock_event:${l.id}`, kind: 'lock_event', at: new Date(l.createdAt), projectId: projects.find((p) => p.name === l.detail.name)?.id ?? null,
    project: what, summary: `${l.action.replace('.', ' ').replace('_', '-')} of ${what} by ${l.actorName}`, actor: l.actorName,
    addresses: [], destroys: 0, replaces: 0, forced,
    detail: { action: l.action, via: l.via, workspace: l.detail.workspace ?? null, lock_id: l.detail.lock_id ?? null },
  };
}

function prEvidence(p: PrApplyRow, runs: Run[]): Evidence {
  const applied = runs.filter((r) => p.runIds.includes(r.id));
  return {
    id: `pr_merge:${p.repoFullName}#${p.prNumber}@${new Date(p.createdAt).toISOString()}`, kind: 'pr_merge', at: new Date(p.createdAt),
    projectId: applied[0]?.projectId ?? null, project: p.repoFullName,
    summary: `pull request ${p.repoFullName}#${p.prNumber} applied at ${p.headSha.slice(0, 12)}`, actor: applied[0]?.actorName ?? null,
    prNumber: p.prNumber, prUrl: applied[0]?.prUrl ?? null,
    addresses: [...new Set(applied.flatMap(changedAddresses))], destroys: 0, replaces: 0,
    detail: { head_sha: p.headSha, run_ids: p.runIds },
  };
}

/** A drift record is a symptom: shown beside the ranked causes, never ranked among them. */
export function driftEvidence(d: DriftRecord, name: ReturnType<typeof projectNamer>): Evidence {
  return {
    id: `drift:${d.id}`, kind: 'drift', at: new Date(d.lastCheckedAt!), projectId: d.projectId, project: name(d.projectId, d.repoFullName, d.dir),
    summary: `drift found on ${d.repoFullName}/${d.dir} (${d.workspace})${d.summary ? `: ${d.summary}` : ''}`, actor: null,
    addresses: driftAddresses(d), destroys: 0, replaces: 0,
    detail: {
      changes_outside: d.details?.changesOutside.map((r) => ({ address: r.address, action: r.action, attributes: r.attributes })) ?? [],
      pending_code_changes: d.details?.pendingCodeChanges.map((r) => ({ address: r.address, action: r.action, attributes: r.attributes })) ?? [],
    },
  };
}
