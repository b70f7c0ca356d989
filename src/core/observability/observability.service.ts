import { can, requirePermission, type Actor } from '../actor.js';
import { InputError } from '../errors.js';
import { runLogAad } from '../runs/run-logs.js';
import type { Encryptor } from '../secrets/encryption.js';
import { metricLabel, type ObservabilityRepository, type PhaseBounds, type RunChunk, type TraceRun } from './observability.repository.js';
import { LOG_LEVELS, type LogLevel, type LogsQuery, type MetricsQuery, type TracesQuery } from './observability.schemas.js';

export interface LogLine {
  timestamp: Date;
  service: 'runs' | 'audit';
  level: LogLevel;
  message: string;
  run_id?: string;
  phase?: string;
  project?: string | null;
  actor?: string;
  action?: string;
}

export interface Series {
  labels: Record<string, string>;
  /** [bucket start, value]; buckets without data are 0 for counts and left out for averages */
  values: [Date, number][];
}

export interface Span {
  name: 'queued' | 'checkout' | 'init' | 'plan' | 'approval' | 'apply';
  start: Date;
  end: Date;
  duration_ms: number;
}

export interface Trace {
  trace_id: string;
  name: string;
  service: string;
  status: string;
  start: Date;
  end: Date | null;
  duration_ms: number | null;
  spans: Span[];
}

/** How many output chunks one log query reads at most (each is decrypted). */
const MAX_CHUNKS = 400;

const rank = (level: LogLevel) => LOG_LEVELS.indexOf(level);

/** terraform marks its diagnostics; everything else it prints is information. */
function runLineLevel(line: string): LogLevel {
  if (/\bError:/.test(line)) return 'error';
  if (/\bWarning:/.test(line)) return 'warn';
  return 'info';
}

/** Refusals, failures and force-unlocks stand out in the audit trail. */
function auditLevel(action: string): LogLevel {
  if (/refused|denied|failed|login_failure/.test(action)) return 'warn';
  if (/force_unlock|delete|rotate/.test(action)) return 'warn';
  return 'info';
}

/**
 * AtlasAI's observability endpoints over what Atlantas itself records: run output and the audit
 * trail as log lines, metric series computed from runs, drift checks and state writes, and runs
 * as traces whose spans are the run's steps. Everything stays inside the caller's tenant; the
 * audit trail needs `audit:read` (admins), the rest `run:read`.
 */
export class ObservabilityService {
  constructor(private readonly deps: { repo: ObservabilityRepository; encryptor: Encryptor }) {}

  async logs(actor: Actor, query: LogsQuery): Promise<{ items: LogLine[]; limit: number }> {
    const wantAudit = query.service !== 'runs' && !query.run_id;
    const wantRuns = query.service !== 'audit';
    if (wantRuns) requirePermission(actor, 'run:read');
    if (query.service === 'audit') {
      requirePermission(actor, 'audit:read');
      if (query.run_id) throw new InputError('run_id filters run output: leave service out or set service=runs', { code: 'validation_error' });
    }
    const min = rank(query.level ?? 'debug');
    const window = { from: query.from, to: query.to };
    const lines: LogLine[] = [];
    if (wantRuns) lines.push(...this.runLines(await this.deps.repo.runChunks(actor.tenantId, { ...window, runId: query.run_id }, MAX_CHUNKS)));
    // Without service=audit, the audit trail is included only for those who may read it.
    if (wantAudit && can(actor, 'audit:read')) {
      for (const a of await this.deps.repo.audit(actor.tenantId, window, 1000)) {
        lines.push({
          timestamp: a.createdAt, service: 'audit', level: auditLevel(a.action), actor: a.actorName, action: a.action,
          message: `${a.actorName} ${a.action} ${a.targetType}${a.targetId ? ` ${a.targetId}` : ''} (via ${a.via})`,
        });
      }
    }
    const items = lines
      .filter((l) => rank(l.level) >= min)
      .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime())
      .slice(0, query.limit);
    return { items, limit: query.limit };
  }

  async metrics(actor: Actor, query: MetricsQuery): Promise<{ metric_name: string; start: Date; end: Date; step: number; series: Series[] }> {
    requirePermission(actor, 'run:read');
    const rows = await this.deps.repo.metric(actor.tenantId, query.metric_name, query.start, query.end, query.step);
    const buckets = Math.ceil((query.end.getTime() - query.start.getTime()) / 1000 / query.step);
    const average = query.metric_name === 'run_duration_seconds';
    const labelKey = metricLabel(query.metric_name);
    const byLabel = new Map<string | null, Map<number, number>>();
    for (const r of rows) {
      const series = byLabel.get(r.label) ?? new Map<number, number>();
      series.set(r.bucket, r.value);
      byLabel.set(r.label, series);
    }
    if (!byLabel.size && !average) byLabel.set(null, new Map());
    const at = (i: number) => new Date(query.start.getTime() + i * query.step * 1000);
    const series: Series[] = [...byLabel.entries()]
      .sort(([a], [b]) => String(a).localeCompare(String(b)))
      .map(([label, values]) => ({
        labels: label !== null && labelKey ? { [labelKey]: label } : {},
        values: average
          ? [...values.entries()].sort(([a], [b]) => a - b).map(([i, v]) => [at(i), Math.round(v * 1000) / 1000] as [Date, number])
          : Array.from({ length: buckets }, (_, i) => [at(i), values.get(i) ?? 0] as [Date, number]),
      }));
    return { metric_name: query.metric_name, start: query.start, end: query.end, step: query.step, series };
  }

  async traces(actor: Actor, query: TracesQuery): Promise<{ items: Trace[]; limit: number }> {
    requirePermission(actor, 'run:read');
    const runs = await this.deps.repo.traceRuns(actor.tenantId, { from: query.from, to: query.to, service: query.service, status: query.status }, query.limit);
    const bounds = await this.deps.repo.phaseBounds(runs.map((r) => r.id));
    return { items: runs.map((r) => traceOf(r, bounds.filter((b) => b.runId === r.id))), limit: query.limit };
  }

  /** Output chunks (newest first) → lines, oldest line of each run first, each stamped with the chunk it starts in. */
  private runLines(chunks: RunChunk[]): LogLine[] {
    const byRun = new Map<string, RunChunk[]>();
    for (const c of chunks) byRun.set(c.runId, [...(byRun.get(c.runId) ?? []), c]);
    const lines: LogLine[] = [];
    for (const [runId, own] of byRun) {
      own.sort((a, b) => a.seq - b.seq);
      let carry = '';
      let carryChunk = own[0];
      const emit = (text: string, chunk: RunChunk) => {
        if (!text.trim()) return;
        lines.push({ timestamp: chunk.createdAt, service: 'runs', level: runLineLevel(text), message: text, run_id: runId, phase: chunk.phase, project: chunk.projectName ?? `${chunk.repoFullName}/${chunk.dir}` });
      };
      for (const chunk of own) {
        const parts = (carry + this.deps.encryptor.openString(chunk, runLogAad(runId, chunk.seq))).split('\n');
        const startChunk = carry ? carryChunk : chunk;
        carry = parts.pop() ?? '';
        parts.forEach((p, i) => emit(p, i === 0 ? startChunk : chunk));
        if (carry) carryChunk = parts.length ? chunk : startChunk;
      }
      if (carry) emit(carry, carryChunk);
    }
    return lines;
  }
}

/** A run's steps as spans, from its own timestamps and when each phase's output was stored (within the output's flush interval). */
export function traceOf(run: TraceRun, phases: PhaseBounds[]): Trace {
  const phase = (name: string) => phases.find((p) => p.phase === name);
  const init = phase('init');
  const plan = phase('plan');
  const apply = phase('apply');
  const spans: Span[] = [];
  const span = (name: Span['name'], start: Date | null | undefined, end: Date | null | undefined) => {
    if (!start || !end) return;
    const s = new Date(start);
    const e = new Date(end);
    if (e < s) return;
    spans.push({ name, start: s, end: e, duration_ms: e.getTime() - s.getTime() });
  };
  const firstOutput = init?.first ?? plan?.first ?? apply?.first;
  span('queued', run.createdAt, run.startedAt);
  span('checkout', run.startedAt, firstOutput);
  span('init', init?.first, plan?.first ?? init?.last);
  span('plan', plan?.first, run.plannedAt ?? plan?.last);
  const applyStart = apply?.first ?? null;
  if (applyStart && run.plannedAt && run.approvedAt && new Date(run.approvedAt) > new Date(run.plannedAt)) span('approval', run.plannedAt, run.approvedAt);
  span('apply', applyStart && run.approvedAt && new Date(run.approvedAt) < new Date(applyStart) ? run.approvedAt : applyStart, run.finishedAt ?? apply?.last);
  const end = run.finishedAt ? new Date(run.finishedAt) : null;
  return {
    trace_id: run.id,
    name: `${run.operation} ${run.repoFullName}/${run.dir}@${run.workspace}`,
    service: run.projectName ?? run.repoFullName,
    status: run.status,
    start: new Date(run.createdAt),
    end,
    duration_ms: end ? end.getTime() - new Date(run.createdAt).getTime() : null,
    spans,
  };
}
