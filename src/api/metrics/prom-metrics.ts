import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics, RunMetricLabels, WebhookResult } from '../../core/ports/metrics.js';
import type { RunStatus } from '../../core/runs/run-status.js';
import type { ServerStats } from '../../core/server-stats/server-stats.service.js';

/**
 * The Prometheus side of core's Metrics port, plus the HTTP figures the API records. Every server
 * has its own Registry (never prom-client's global one), so several servers in one process — the
 * tests — each count only their own work.
 */
export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly httpRequests = new Counter({
    name: 'atlantas_http_requests_total', help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['method', 'route', 'status'], registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'atlantas_http_request_duration_seconds', help: 'HTTP request duration, by route template and method',
    labelNames: ['method', 'route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry],
  });
  private readonly runs = new Counter({
    name: 'atlantas_runs_total', help: 'Runs that entered a status, by status, command and source',
    labelNames: ['status', 'command', 'source'], registers: [this.registry],
  });
  private readonly runDuration = new Histogram({
    name: 'atlantas_run_duration_seconds', help: 'One execution of a run on a worker (claim to rest), by command and phase',
    labelNames: ['command', 'phase'], buckets: [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600], registers: [this.registry],
  });
  private readonly queueDepth = new Gauge({
    name: 'atlantas_run_queue_depth', help: 'Runs of every tenant waiting for a worker (queued, or approved and waiting to apply)', registers: [this.registry],
  });
  private readonly terraformProcesses = new Gauge({
    name: 'atlantas_terraform_processes', help: 'terraform processes this server is running', registers: [this.registry],
  });
  private readonly stateWrites = new Counter({
    name: 'atlantas_state_writes_total', help: 'State backend writes: a new version (written) or a retried write of the stored one (unchanged)',
    labelNames: ['result'], registers: [this.registry],
  });
  private readonly stateLockConflicts = new Counter({
    name: 'atlantas_state_lock_conflicts_total', help: 'State lock, unlock or write requests refused because another lock holds the state',
    labelNames: ['operation'], registers: [this.registry],
  });
  private readonly webhookDeliveries = new Counter({
    name: 'atlantas_webhook_deliveries_total', help: 'GitHub webhook deliveries, by result', labelNames: ['result'], registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  httpRequest(labels: { method: string; route: string; status: number }, seconds: number): void {
    this.httpRequests.inc({ method: labels.method, route: labels.route, status: String(labels.status) });
    this.httpDuration.observe({ method: labels.method, route: labels.route }, seconds);
  }

  /** Sets the gauges read at scrape time. */
  serverStats(stats: ServerStats): void {
    this.queueDepth.set(stats.queuedRuns);
    this.terraformProcesses.set(stats.terraformProcesses);
  }

  runStatus(run: RunMetricLabels, status: RunStatus): void {
    this.runs.inc({ status, command: run.operation, source: run.source });
  }

  runExecution(run: RunMetricLabels, phase: 'plan' | 'apply', seconds: number): void {
    this.runDuration.observe({ command: run.operation, phase }, seconds);
  }

  stateWrite(result: 'written' | 'unchanged'): void {
    this.stateWrites.inc({ result });
  }

  stateLockConflict(operation: 'lock' | 'unlock' | 'write'): void {
    this.stateLockConflicts.inc({ operation });
  }

  webhookDelivery(result: WebhookResult): void {
    this.webhookDeliveries.inc({ result });
  }
}
