import type { RunOperation, RunSource, RunStatus } from '../runs/run-status.js';

/** What a run counter is labelled by. */
export interface RunMetricLabels {
  operation: RunOperation;
  source: RunSource;
}

/** How a webhook delivery ended at the receiver. */
export type WebhookResult = 'accepted' | 'duplicate' | 'invalid_signature' | 'bad_request' | 'too_large' | 'unknown_installation';

/**
 * The port through which core reports what it does, for an operator to watch (Prometheus at the
 * edge, see api/metrics). Core calls it and never imports a metrics library; every method is
 * fire-and-forget and must not throw. `noopMetrics` is the default.
 */
export interface Metrics {
  /** a run reached `status`: `pending` when queued, `planned` when its plan waits, and every ending */
  runStatus(run: RunMetricLabels, status: RunStatus): void;
  /** one execution of a run on a worker (claim to rest), by what it did */
  runExecution(run: RunMetricLabels, phase: 'plan' | 'apply', seconds: number): void;
  /** a state backend write: a new version, or a retried write of the version already stored */
  stateWrite(result: 'written' | 'unchanged'): void;
  /** a state lock, unlock or write refused because another lock holds the state */
  stateLockConflict(operation: 'lock' | 'unlock' | 'write'): void;
  webhookDelivery(result: WebhookResult): void;
}

export const noopMetrics: Metrics = {
  runStatus: () => {},
  runExecution: () => {},
  stateWrite: () => {},
  stateLockConflict: () => {},
  webhookDelivery: () => {},
};
