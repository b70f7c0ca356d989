import type { Actor } from '../actor.js';
import type { CommandService } from '../commands/command.service.js';
import type { EnqueueResult, RunsService } from '../runs/runs.service.js';
import type { Run } from '../runs/run.model.js';
import { isSettled } from '../runs/run-status.js';
import { assessDrift } from './drift-assessment.js';
import type { DriftRecord } from './drift-record.js';
import type { DriftRecorder } from './drift-recorder.js';
import type { DriftRepository } from './drift.repository.js';
import type { RepoSelection } from './drift-targets.js';

/** Who a drift check's runs hold project locks as: never a PR, never the caller's own waiting plans. */
export const DRIFT_LOCK_HOLDER = 'drift-check';

interface Started {
  record: DriftRecord;
  refresh: Run;
  group: RepoSelection;
}

export interface DriftCheckDeps {
  commands: CommandService;
  runs: RunsService;
  repo: DriftRepository;
  recorder: DriftRecorder;
  /** how long a check waits for each of its two runs */
  waitMs: number;
}

/**
 * One drift check of some repositories' projects, outside any pull request, at the head of the
 * ref: first a refresh-only plan of each (queued at once, through the ordinary queue and sandbox),
 * then a normal plan at the same commit, then the record. A project locked by someone else (a
 * PR's plan, a waiting apply) is skipped and named, its lock untouched.
 */
export class DriftCheck {
  constructor(private readonly deps: DriftCheckDeps, private readonly actor: Actor, readonly checkId: string) {}

  /** Queues the refresh-only plans; the records are `checking` (or skipped) when it returns. */
  async start(group: RepoSelection): Promise<{ records: DriftRecord[]; started: Started[] }> {
    const outcome = await this.deps.commands.submit(this.actor, {
      operation: 'refresh', source: 'drift', repoFullName: group.repoFullName, ref: group.ref, ...group.selection,
      lockHolderName: DRIFT_LOCK_HOLDER, title: 'drift check: refresh-only plan',
    });
    const records: DriftRecord[] = [];
    const started: Started[] = [];
    for (const r of outcome.results) {
      const record = await this.deps.repo.begin(this.actor.tenantId, targetOf(group, r), this.checkId);
      records.push(record);
      if (r.run) {
        await this.deps.repo.setRuns(record.id, this.checkId, { refreshRunId: r.run.id });
        started.push({ record: { ...record, refreshRunId: r.run.id }, refresh: r.run, group });
      } else {
        await this.deps.recorder.skipped(record, skipReason(r));
      }
    }
    return { records, started };
  }

  /** Waits for the refresh-only plans, plans each project that refreshed at the same commit, and records both. */
  async finish(started: Started[]): Promise<void> {
    const refreshed = new Map((await this.settle(started.map((s) => s.refresh.id))).map((r) => [r.id, r]));
    const byGroup = new Map<RepoSelection, { s: Started; refresh: Run }[]>();
    for (const s of started) {
      const refresh = refreshed.get(s.refresh.id) ?? s.refresh;
      if (refresh.status !== 'planned_and_finished') {
        await this.deps.recorder.assessed(s.record, assessDrift(refresh, refresh));
        continue;
      }
      byGroup.set(s.group, [...(byGroup.get(s.group) ?? []), { s, refresh }]);
    }
    for (const [group, items] of byGroup) await this.planGroup(group, items);
  }

  private async planGroup(group: RepoSelection, items: { s: Started; refresh: Run }[]): Promise<void> {
    const byCommit = new Map<string, typeof items>();
    for (const i of items) byCommit.set(i.refresh.commitSha, [...(byCommit.get(i.refresh.commitSha) ?? []), i]);
    for (const [commitSha, same] of byCommit) {
      const named = same.filter((i) => i.s.record.projectName);
      const unnamed = same.filter((i) => !i.s.record.projectName);
      const results: EnqueueResult[] = [];
      const submit = async (selection: { projects?: string[]; paths?: { dir: string; workspace: string }[] }) =>
        results.push(...(await this.deps.commands.submit(this.actor, {
          operation: 'plan', source: 'drift', repoFullName: group.repoFullName, ref: group.ref, commitSha, ...selection,
          lockHolderName: DRIFT_LOCK_HOLDER, title: 'drift check: plan',
        })).results);
      if (named.length) await submit({ projects: [...new Set(named.map((i) => i.s.record.projectName))] });
      if (unnamed.length) await submit({ paths: unnamed.map((i) => ({ dir: i.s.record.dir, workspace: i.s.record.workspace })) });
      await this.recordPlans(same, results);
    }
  }

  private async recordPlans(items: { s: Started; refresh: Run }[], results: EnqueueResult[]): Promise<void> {
    const planned: { s: Started; refresh: Run; plan: Run }[] = [];
    for (const i of items) {
      const r = results.find((x) => sameTarget(x.target, i.s.record));
      if (!r) await this.deps.recorder.errored(i.s.record, 'the project was not found again at the checked commit');
      else if (!r.run) await this.deps.recorder.skipped(i.s.record, skipReason(r));
      else {
        await this.deps.repo.setRuns(i.s.record.id, this.checkId, { planRunId: r.run.id });
        planned.push({ ...i, s: { ...i.s, record: { ...i.s.record, planRunId: r.run.id } }, plan: r.run });
      }
    }
    const plans = new Map((await this.settle(planned.map((p) => p.plan.id))).map((r) => [r.id, r]));
    for (const p of planned) await this.deps.recorder.assessed(p.s.record, assessDrift(p.refresh, plans.get(p.plan.id) ?? p.plan));
  }

  private async settle(ids: string[]): Promise<Run[]> {
    if (!ids.length) return [];
    const runs = await this.deps.runs.waitForSettled(this.actor, ids, this.deps.waitMs);
    return runs.map((r) => (isSettled(r.status) ? r : { ...r, statusReason: `did not finish within ${Math.round(this.deps.waitMs / 1000)} s` }));
  }
}

function targetOf(group: RepoSelection, r: EnqueueResult) {
  return {
    repoFullName: group.repoFullName, dir: r.target.dir, workspace: r.target.workspace, projectName: r.target.projectName, ref: group.ref,
    projectId: r.target.projectId ?? null, environmentId: r.target.environmentId ?? null,
  };
}

function sameTarget(a: { dir: string; workspace: string; projectName: string }, b: { dir: string; workspace: string; projectName: string }): boolean {
  return a.dir === b.dir && a.workspace === b.workspace && a.projectName === b.projectName;
}

/** `locked by #12` for a pull request's lock, else the holder's name. */
function skipReason(r: EnqueueResult): string {
  const lock = (r.run ? null : r.lock) as { holder_kind?: string; pull_request_id?: number | null; holder?: string } | null | undefined;
  if (lock?.holder_kind === 'pull_request' && lock.pull_request_id) return `locked by #${lock.pull_request_id}`;
  if (lock?.holder) return `locked by ${lock.holder}`;
  return r.failure ?? 'not queued';
}
