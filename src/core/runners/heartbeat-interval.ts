/**
 * How often a remote runner heartbeats, given the server's ATLANTAS_RUNNER_TIMEOUT: five beats
 * fit in the timeout, so a loaded machine may miss a few before its runs are errored; never more
 * than 2 s apart, because a cancel reaches the runner in the answer to a heartbeat. Pure.
 */
export function runnerHeartbeatMs(runnerTimeoutMs: number): number {
  return Math.max(100, Math.min(2000, Math.floor(runnerTimeoutMs / 5)));
}
