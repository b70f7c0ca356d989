import type { Evidence, RankedEvidence } from '../../core/rca/evidence.js';
import type { CopilotAnswer } from '../../core/rca/copilot.service.js';
import type { RcaResult } from '../../core/rca/rca.service.js';
import type { Narrative } from '../../core/rca/rca-narrative.js';
import type { Runbook, RunbookExecution } from '../../core/runbooks/runbook.js';
import { iso } from './iso.js';


function evidenceJson(e: Evidence | RankedEvidence) {
  return {
    ...('rank' in e ? { rank: e.rank, score: e.score, reasons: e.reasons } : {}),
    id: e.id, kind: e.kind, at: iso(e.at), project_id: e.projectId, project: e.project, summary: e.summary, actor: e.actor,
    run_id: e.runId ?? null, pr_number: e.prNumber ?? null, pr_url: e.prUrl ?? null,
    resources: e.addresses, destroys: e.destroys, replaces: e.replaces, detail: e.detail,
  };
}

const narrativeJson = (n: Narrative) => ({ source: n.source, model: n.model ?? null, text: n.text, note: n.note ?? null });

/** POST /api/rca's answer: the incident, the window, the ranked candidates with their reasons, the narrative. */
export function rcaJson(r: RcaResult) {
  return {
    incident_id: r.incident.id, reference: r.incident.reference, title: r.incident.title, severity: r.incident.severity, status: r.incident.status,
    started_at: iso(r.incident.startedAt), window: { from: iso(r.window.from), to: iso(r.window.to) },
    projects: r.projects, affected_resources: r.affectedResources,
    root_cause: r.candidates[0] ? evidenceJson(r.candidates[0]) : null,
    candidates: r.candidates.map(evidenceJson), symptoms: r.symptoms.map(evidenceJson),
    summary: r.summary, narrative: narrativeJson(r.narrative), analysis: r.narrative.text, notes: r.notes,
  };
}

export function copilotJson(a: CopilotAnswer) {
  const d = a.data;
  return {
    query: a.query, persona: a.persona, intents: a.intents, answer: a.answer, narrative: narrativeJson(a.narrative),
    data: {
      ...(d.failedRuns ? { failed_runs: d.failedRuns.map((r) => ({ ...r, at: iso(r.at) })) } : {}),
      ...(d.recentApplies ? { recent_applies: d.recentApplies.map((r) => ({ ...r, at: iso(r.at) })) } : {}),
      ...(d.drift ? { drift: d.drift.map(({ lastCheckedAt, addresses, ...x }) => ({ ...x, resources: addresses, last_checked_at: iso(lastCheckedAt) })) } : {}),
      ...(d.openIncidents ? { open_incidents: d.openIncidents.map(({ createdAt, ...i }) => ({ ...i, created_at: iso(createdAt) })) } : {}),
      ...(d.stateHistory ? { state_history: d.stateHistory.map((s) => ({ ...s, at: iso(s.at) })) } : {}),
      ...(d.incidentCause ? { incident_cause: { reference: d.incidentCause.reference, summary: d.incidentCause.summary, top_candidate: d.incidentCause.topCandidate } } : {}),
    },
  };
}

export function runbookJson(r: Runbook) {
  return {
    id: r.id, name: r.name, description: r.description, status: r.status, steps: r.steps, version: r.version,
    generated_by: r.generatedBy, incident_id: r.incidentId, created_by: r.createdBy, updated_by: r.updatedBy,
    published_at: iso(r.publishedAt), published_by: r.publishedBy, created_at: iso(r.createdAt), updated_at: iso(r.updatedAt),
  };
}

export function executionJson(e: RunbookExecution) {
  return {
    id: e.id, runbook_id: e.runbookId, runbook_version: e.runbookVersion, incident_id: e.incidentId, dry_run: e.dryRun, status: e.status,
    steps: e.steps.map((s) => ({
      index: s.index, action: s.action, status: s.status, message: s.message,
      run_id: s.runId ?? null, approval_id: s.approvalId ?? null, lock_id: s.lockId ?? null, agent_execution_id: s.agentExecutionId ?? null,
    })),
    actor: { kind: e.actorKind, name: e.actorName, via: e.via }, created_at: iso(e.createdAt), finished_at: iso(e.finishedAt),
  };
}
