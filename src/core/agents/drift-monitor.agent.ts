import type { Actor } from '../actor.js';
import type { AgentBehaviour, AgentContext, AgentResult, NotifiableFinding } from './agent-executor.js';
import { AGENT_CONFIG } from './agent.schemas.js';

/**
 * What the drift monitor needs of core's drift checks (src/core/drift): check targets and wait
 * for the records; remediate a repository's drift. Declared here by shape so that this agent
 * depends on those two calls only.
 */
type DriftTargets = { kind: 'project'; project: string } | { kind: 'environment'; environmentId: string } | { kind: 'instance'; instanceId: string } | { kind: 'all' };
interface DriftRecordView {
  id: string; repoFullName: string; dir: string; workspace: string; ref: string; status: string; reason: string | null;
  refreshRunId: string | null; planRunId: string | null; hasDrift: boolean | null; summary: string | null; projectId: string | null; projectName: string; fingerprint: string | null;
}
/** core/incidents: drifted records open an incident, clean ones resolve theirs */
export interface DriftIncidents {
  driftChecked(actor: Actor, records: DriftRecordView[]): Promise<void>;
}
export interface DriftChecks {
  check(actor: Actor, targets: DriftTargets): Promise<{ checkId: string; records: DriftRecordView[]; errors: { repository: string; message: string }[] }>;
}
export interface DriftRemediations {
  remediate(actor: Actor, input: { repository: string; ref: string; action: 'plan' | 'apply'; driftOnly?: boolean; workspaces?: string[] }):
    Promise<{ id: string; projects: { runId?: string | null }[] }>;
}

/**
 * drift_monitor: checks its targets (a project, an environment's or an instance's projects, or
 * all of the tenant's) through core's drift checks, which record the result and tell people once
 * per drift episode (drift.detected / drift.resolved). With `config.auto_remediate` it asks for a
 * remediation apply of each drifted repository: the agent is automation, so the run engine plans
 * it and waits for a person's approval; it never applies unapproved.
 */
export class DriftMonitorAgent implements AgentBehaviour {
  constructor(private readonly deps: { drift: DriftChecks; remediations: DriftRemediations; incidents?: DriftIncidents }) {}

  async run(ctx: AgentContext): Promise<AgentResult> {
    const config = AGENT_CONFIG.drift_monitor.parse(ctx.agent.config);
    const { checkId, records, errors } = await this.deps.drift.check(ctx.actor, targetsOf(ctx));
    const runIds = records.flatMap((r) => [r.refreshRunId, r.planRunId].filter((id): id is string => !!id));
    const findings: NotifiableFinding[] = records.filter((r) => r.hasDrift || r.status === 'skipped' || r.status === 'errored').map((r) => ({
      key: `${r.hasDrift ? 'drift' : r.status}:${r.id}`, kind: r.hasDrift ? 'drift.detected' : `drift.${r.status}`,
      message: `${r.repoFullName}/${r.dir} (${r.workspace}): ${r.hasDrift ? r.summary ?? 'drifted' : r.reason ?? r.status}`,
      details: { drift_id: r.id, check_id: checkId },
    }));
    await this.deps.incidents?.driftChecked(ctx.actor, records);
    for (const e of errors) findings.push({ key: `error:${e.repository}`, kind: 'drift.repository_error', message: `${e.repository}: ${e.message}` });
    if (config.auto_remediate) {
      const drifted = new Map<string, DriftRecordView[]>();
      // a record skipped because the remediation's plan holds its lock keeps the drift it had
      for (const r of records.filter((x) => x.hasDrift)) {
        const repo = `${r.repoFullName}\u0000${r.ref}`;
        drifted.set(repo, [...(drifted.get(repo) ?? []), r]);
      }
      for (const group of drifted.values()) {
        const [r] = group;
        // once per drift: the same drift on the next tick keeps the remediation that waits for a person (no new plan, no new approval request)
        const key = `remediation:${r.repoFullName}:${r.ref}:${group.map((g) => `${g.id}@${g.fingerprint}`).sort().join(',')}`;
        if (ctx.known.has(key)) {
          findings.push({ key, kind: 'drift.remediation_requested', message: `${r.repoFullName}: a remediation was planned for this drift; it applies once a person approves` });
          continue;
        }
        if (group.some((g) => g.status !== 'checked')) continue; // locked or failed this time: nothing to remediate from
        const remediation = await this.deps.remediations.remediate(ctx.actor, { repository: r.repoFullName, ref: r.ref, action: 'apply', driftOnly: true });
        runIds.push(...remediation.projects.flatMap((p) => (p.runId ? [p.runId] : [])));
        findings.push({ key, kind: 'drift.remediation_requested', message: `${r.repoFullName}: remediation planned; it applies once a person approves`, details: { remediation_id: remediation.id } });
      }
    }
    const drifted = records.filter((r) => r.hasDrift).length;
    return { status: 'succeeded', summary: `${records.length} checked, ${drifted} drifted`, findings, runIds };
  }
}

function targetsOf(ctx: AgentContext): DriftTargets {
  const a = ctx.agent;
  if (a.targetProjectId) return { kind: 'project', project: a.targetProjectId };
  if (a.targetEnvironmentId) return { kind: 'environment', environmentId: a.targetEnvironmentId };
  if (a.targetInstanceId) return { kind: 'instance', instanceId: a.targetInstanceId };
  return { kind: 'all' };
}
