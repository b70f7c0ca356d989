import { hostname } from 'node:os';
import type { Logger } from '../../logger.js';
import { judgeOrphanGroup } from '../terraform/orphan-group.js';
import { groupAlive, signalGroup } from '../terraform/process-group.js';
import type { Run } from './run.model.js';
import type { RunRepository } from './run.repository.js';
import type { RunsService } from './runs.service.js';
import { ACTIVE_STATUSES } from './run-status.js';

/** The worker id of a run a remote runner claimed: `runner:<runner id>`. */
export const REMOTE_WORKER_PREFIX = 'runner:';

export interface RecoveryDeps {
  repo: RunRepository;
  runs: RunsService;
  /** releases state-backend locks taken by a run's terraform */
  releaseStateLocks(runId: string): Promise<number>;
  log: Logger;
  workerId: string;
  /** a worker on another host silent this long is presumed dead */
  staleMs: number;
  /** ATLANTAS_RUNNER_TIMEOUT: a remote runner (worker id `runner:<id>`) silent this long is presumed gone */
  runnerStaleMs?: number;
  /** ATLANTAS_TF_BINARY: how a leftover terraform is recognised by its command line */
  terraformBinary?: string;
}

/**
 * Finds runs whose terraform stopped with its server (a crash, SIGKILL, a lost node): runs still
 * marked planning/applying by a worker that is no longer alive. Each ends `errored` with the
 * reason; a leftover terraform process of this host is killed, and the locks it held on the
 * state are released, so nothing stays locked forever. Safe to run on every replica at once.
 */
export async function recoverOrphans(deps: RecoveryDeps): Promise<Run[]> {
  const recovered: Run[] = [];
  for (const run of await deps.repo.findActive()) {
    const remote = run.workerId?.startsWith(REMOTE_WORKER_PREFIX) ?? false;
    if (run.workerId === deps.workerId || !isOrphan(run, remote ? (deps.runnerStaleMs ?? deps.staleMs) : deps.staleMs)) continue;
    if (run.runnerPid && sameHost(run)) await stopLeftover(run, run.runnerPid, deps);
    const phase = run.status === 'applying' ? 'apply' : 'plan';
    const reason = remote
      ? `interrupted: the runner executing this ${phase} (${run.workerId}) stopped heartbeating before it finished`
      : `interrupted: the Atlantas process running this ${phase} (${run.workerId ?? 'unknown worker'}) stopped before it finished`;
    const taken = await deps.runs.finish(run, 'errored', { error: `${reason}; check the state and plan again`, statusReason: reason }, { onlyIfStatus: [...ACTIVE_STATUSES] });
    if (!taken) continue; // another replica got there first
    const released = await deps.releaseStateLocks(run.id);
    deps.log.warn({ runId: run.id, worker: run.workerId, stateLocksReleased: released }, 'recovered an interrupted run');
    recovered.push(run);
  }
  return recovered;
}

/** Kills the process group a dead server's terraform left running, once sure it is still that run's (pids are reused). */
async function stopLeftover(run: Run, pid: number, deps: RecoveryDeps): Promise<void> {
  if (!groupAlive(pid)) return;
  const verdict = await judgeOrphanGroup(pid, run.id, deps.terraformBinary ?? 'terraform');
  if (!verdict.kill) {
    deps.log.warn({ runId: run.id, pid, reason: verdict.reason }, 'did not kill the process group recorded for an interrupted run');
    return;
  }
  signalGroup(pid, 'SIGKILL');
  deps.log.warn({ runId: run.id, pid, reason: verdict.reason }, 'killed the terraform process group of an interrupted run');
}

function isOrphan(run: Run, staleMs: number): boolean {
  const stale = !run.heartbeatAt || Date.now() - new Date(run.heartbeatAt).getTime() > staleMs;
  if (!run.workerId || !sameHost(run)) return stale;
  const pid = Number(run.workerId.split(':')[1]);
  return stale || !pidAlive(pid);
}

function sameHost(run: Run): boolean {
  return !!run.workerId && run.workerId.split(':')[0] === hostname();
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
