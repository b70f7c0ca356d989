import type { LocksService } from '../locks/locks.service.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { StateService, StateSummary } from '../state/state.service.js';
import type { AgentBehaviour, AgentContext, AgentResult, NotifiableFinding } from './agent-executor.js';
import { AGENT_CONFIG } from './agent.schemas.js';

/**
 * state_watcher: PR/project locks and state locks held longer than `config.max_lock_age`, states
 * not written for `config.stale_after_days`, and a state whose newest version's serial went
 * backwards or whose lineage changed. Each finding's key names the exact lock or version, so a
 * finding is told once; a new lock or a new bad write is a new finding.
 */
export class StateWatcherAgent implements AgentBehaviour {
  constructor(private readonly deps: { locks: Pick<LocksService, 'list'>; state: Pick<StateService, 'list' | 'versions'>; projects: Pick<ProjectsService, 'list'> }) {}

  async run(ctx: AgentContext): Promise<AgentResult> {
    const config = AGENT_CONFIG.state_watcher.parse(ctx.agent.config);
    const findings = [...(await this.longProjectLocks(ctx, config.max_lock_age))];
    for (const state of await this.deps.state.list(ctx.actor)) {
      if (ctx.agent.targetProjectId && state.projectId !== ctx.agent.targetProjectId) continue;
      findings.push(...stateLockFindings(ctx, state, config.max_lock_age));
      findings.push(...(await this.historyFindings(ctx, state, config.stale_after_days)));
    }
    return { status: 'succeeded', summary: findings.length ? `${findings.length} finding(s)` : 'nothing to report', findings };
  }

  private async longProjectLocks(ctx: AgentContext, maxAgeMs: number): Promise<NotifiableFinding[]> {
    const projects = await this.deps.projects.list(ctx.actor);
    const idByName = new Map(projects.map((p) => [p.name, p.id]));
    const out: NotifiableFinding[] = [];
    for (const lock of await this.deps.locks.list(ctx.actor)) {
      const projectId = idByName.get(lock.projectName) ?? null;
      if (ctx.agent.targetProjectId && projectId !== ctx.agent.targetProjectId) continue;
      const heldMs = ctx.now.getTime() - new Date(lock.lockedAt).getTime();
      if (heldMs <= maxAgeMs) continue;
      const holder = lock.prNumber ? `pull request #${lock.prNumber}` : lock.holderName;
      out.push({
        key: `lock:${lock.id}`, kind: 'lock.held_long',
        message: `${lock.repoFullName}/${lock.dir} (${lock.workspace}) locked by ${holder} for ${hours(heldMs)}`,
        details: { lock_id: lock.id, locked_at: new Date(lock.lockedAt).toISOString(), held_ms: heldMs },
        event: { kind: 'lock.held_long', tenantId: ctx.agent.tenantId, projectId, lockId: lock.id },
        // the housekeeping's long-lock warning uses the same key: one message per lock, whoever notices first
        dedupeKey: `lock-warn:${lock.id}`,
      });
    }
    return out;
  }

  /** From the two newest versions: a stale state, a serial that went backwards, a lineage that changed. */
  private async historyFindings(ctx: AgentContext, state: StateSummary, staleAfterDays?: number): Promise<NotifiableFinding[]> {
    if (state.latestVersion < 1) return [];
    const [latest, previous] = [...(await this.deps.state.versions(ctx.actor, state.id))].sort((a, b) => b.version - a.version);
    if (!latest) return [];
    const out: NotifiableFinding[] = [];
    const where = `${state.name} (${state.workspace})`;
    const ageMs = ctx.now.getTime() - new Date(latest.createdAt).getTime();
    if (staleAfterDays && ageMs > staleAfterDays * 86_400_000) {
      out.push(stateAlert(ctx, state, `stale:${latest.id}`, 'state.stale', `${where}: not written for ${Math.floor(ageMs / 86_400_000)} days`));
    }
    if (!previous) return out;
    if (latest.lineage !== previous.lineage) {
      out.push(stateAlert(ctx, state, `lineage:${latest.id}`, 'state.lineage_changed', `${where}: version ${latest.version} has lineage ${latest.lineage}, version ${previous.version} had ${previous.lineage}`));
    } else if (latest.serial < previous.serial) {
      out.push(stateAlert(ctx, state, `serial:${latest.id}`, 'state.serial_backwards', `${where}: serial went backwards from ${previous.serial} to ${latest.serial} in version ${latest.version}`));
    }
    return out;
  }
}

function stateLockFindings(ctx: AgentContext, state: StateSummary, maxAgeMs: number): NotifiableFinding[] {
  if (!state.isLocked || !state.lockedAt) return [];
  const heldMs = ctx.now.getTime() - new Date(state.lockedAt).getTime();
  if (heldMs <= maxAgeMs) return [];
  return [stateAlert(ctx, state, `state-lock:${state.id}:${state.lockId}`, 'state.lock_held_long', `${state.name} (${state.workspace}) state locked by ${state.lockedBy ?? 'unknown'} for ${hours(heldMs)}`)];
}

function stateAlert(ctx: AgentContext, state: StateSummary, key: string, kind: string, message: string): NotifiableFinding {
  return {
    key, kind, message, details: { state_id: state.id },
    event: { kind: 'state.alert', tenantId: ctx.agent.tenantId, projectId: state.projectId, stateId: state.id, reason: message },
  };
}

function hours(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 1 ? `${h.toFixed(1)} h` : `${Math.round(ms / 60_000)} min`;
}
