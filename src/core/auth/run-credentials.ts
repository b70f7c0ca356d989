import type { Actor, Permission, Via } from '../actor.js';
import { AuthenticationError } from '../errors.js';
import type { RunStatus } from '../runs/run-status.js';
import type { JwtClaims, JwtCodec } from './jwt.js';
import type { RunCredentialRepository } from './run-credential.repository.js';

/**
 * The state credential a run's terraform gets (TF_HTTP_PASSWORD). It fits the phase it was made
 * for: a plan reads and locks its state and cannot write it (so a plan of untrusted code cannot
 * replace state), an apply or destroy also writes. And it works only while its run is in that
 * phase: each use reads the run's status, so the credential dies the moment the run ends (or
 * moves on), not when the JWT expires (for a run this replica executes, the worker's own
 * record of its status, left before the status changes). Without this, a credential copied out of a plan would
 * keep writing state for as long as it lived.
 */
export type RunPhase = 'plan' | 'apply';

/** What each phase's credential may do: the one table of run grants. */
export const RUN_PHASE_GRANTS: Record<RunPhase, readonly Permission[]> = {
  plan: ['state:read', 'state:lock'],
  apply: ['state:read', 'state:lock', 'state:write'],
};

const PHASE_NOTES: Record<RunPhase, string> = {
  plan: "a plan's state credential may read and lock its state but not write it; only an apply or destroy writes state",
  apply: "an apply's state credential may read, lock and write its own state only",
};

/** The status a run is in while the phase's terraform runs; outside it the credential is refused. */
const PHASE_STATUS: Record<RunPhase, RunStatus> = { plan: 'planning', apply: 'applying' };

export interface RunForCredential {
  id: string;
  tenantId: string;
  stateName: string | null;
  workspace: string;
}

export interface RunCredentialsDeps {
  jwt: JwtCodec;
  repo: RunCredentialRepository;
  /** a run this replica's worker executes right now, whose status is known here without a query (runs-executing-here.ts) */
  executingHere?: (runId: string) => { tenantId: string; status: RunStatus } | undefined;
}

export class RunCredentials {
  constructor(private readonly deps: RunCredentialsDeps) {}

  issue(run: RunForCredential, phase: RunPhase, ttlMs: number): string {
    return this.deps.jwt.sign({ sub: `run:${run.id}`, tid: run.tenantId, scope: stateScope(run), phase }, ttlMs);
  }

  /** The actor of a verified run credential, refused unless its run is still in the credential's phase. */
  async actor(claims: JwtClaims, via: Via): Promise<Actor> {
    const runId = claims.sub.slice('run:'.length);
    const phase = claims.phase === 'plan' || claims.phase === 'apply' ? claims.phase : null;
    if (!phase || !claims.scope) throw new AuthenticationError('invalid token', { code: 'invalid_token' });
    // terraform asks the state backend three times per plan (lock, GET, unlock): a run executing here needs no query each time
    const run = this.deps.executingHere?.(runId) ?? (await this.deps.repo.runStatus(runId));
    if (!run || run.tenantId !== claims.tid) throw new AuthenticationError('invalid token', { code: 'invalid_token' });
    if (run.status !== PHASE_STATUS[phase]) {
      throw new AuthenticationError(`this credential was for the ${phase} of run ${runId}, which is over (the run is ${run.status})`, { code: 'run_credential_expired' });
    }
    return {
      kind: 'system', tenantId: claims.tid, role: 'member', name: `run ${runId}`, via, isPlatformAdmin: false, automation: true,
      scope: claims.scope, runId, grants: { permissions: RUN_PHASE_GRANTS[phase], note: PHASE_NOTES[phase] },
    };
  }
}

function stateScope(run: RunForCredential): string {
  return `state:${run.stateName ?? ''}/${run.workspace}`;
}
