import type { Logger } from '../../logger.js';
import { can, requirePermission, type Actor } from '../actor.js';
import type { LlmClient } from '../ai/llm-client.js';
import type { Clock } from '../clock.js';
import type { DriftRecord } from '../drift/drift-record.js';
import type { Project } from '../projects/project.model.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { RankedEvidence, Evidence } from './evidence.js';
import { changedAddresses, driftAddresses, driftEvidence, projectNamer, type EvidenceCollector } from './evidence-collector.js';
import type { IncidentFacts, IncidentPort } from './incident-port.js';
import { formatAgo, rankEvidence } from './ranking.js';
import { narrate, type Narrative } from './rca-narrative.js';

export interface RcaResult {
  incident: Pick<IncidentFacts, 'id' | 'reference' | 'title' | 'severity' | 'status' | 'source'> & { startedAt: Date };
  window: { from: Date; to: Date };
  projects: { id: string; name: string }[];
  affectedResources: string[];
  candidates: RankedEvidence[];
  /** drift records of those projects: what the incident looks like, not what caused it */
  symptoms: Evidence[];
  summary: string;
  narrative: Narrative;
  /** caveats: no project linked, evidence left out … */
  notes: string[];
}

interface Deps {
  incidents: IncidentPort;
  projects: ProjectsService;
  collector: EvidenceCollector;
  llm?: LlmClient;
  windowMs: number;
  clock: Clock;
  log: Logger;
}

const TASK = 'Write a short root cause analysis (at most 8 sentences, plain text) of the incident in the data: name the most likely cause by its evidence id and what it changed, why (its ranking reasons), and what to check next.';

/**
 * Root cause analysis: the incident's projects (linked, or through its runs, drift records and
 * CIs), the changes on them in a window before it started, ranked (ranking.ts) with reasons, and a
 * narrative written by the model from that evidence only, or by the rules below.
 */
export class RcaService {
  constructor(private readonly deps: Deps) {}

  async analyze(actor: Actor, incidentRef: string): Promise<RcaResult> {
    requirePermission(actor, 'run:read');
    const incident = await this.deps.incidents.get(actor, incidentRef);
    const notes: string[] = [];
    const startedAt = new Date(incident.createdAt);
    const window = { from: new Date(startedAt.getTime() - this.deps.windowMs), to: startedAt };
    let projects = await this.projectsOf(actor, incident);
    if (!projects.length) {
      projects = await this.deps.projects.list(actor);
      notes.push('the incident names no project (no linked project, run, drift record or CI): every project of the tenant was looked at');
    }
    const { evidence, drift } = await this.deps.collector.collect({ tenantId: actor.tenantId, projects, from: window.from, to: window.to });
    const linkedRuns = await this.deps.collector.runs(actor.tenantId, linkIds(incident, 'run'));
    const symptoms = this.symptomsOf(incident, drift, projects);
    const affected = [...new Set([
      ...symptoms.flatMap((s) => s.addresses), ...linkedRuns.flatMap(changedAddresses),
      ...incident.ciIds.filter((c) => /^[a-z0-9_-]+\.[A-Za-z0-9_.[\]"-]+$/i.test(c)),
    ])].sort();
    const candidates = rankEvidence(evidence, { startedAt, affected, windowMs: this.deps.windowMs });
    const summary = summarize(incident, candidates, affected, this.deps.windowMs);
    const narrative = await narrate(this.deps.llm, this.deps.log, TASK, {
      incident: { reference: incident.reference, title: incident.title, description: incident.description, severity: incident.severity, status: incident.status, source: incident.source, started_at: startedAt.toISOString() },
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      affected_resources: affected,
      candidates: candidates.slice(0, 25).map(forModel),
      symptoms: symptoms.map(forModel),
    }, summary);
    if (narrative.note) notes.push(narrative.note);
    const result: RcaResult = {
      incident: { id: incident.id, reference: incident.reference, title: incident.title, severity: incident.severity, status: incident.status, source: incident.source, startedAt },
      window, projects: projects.map((p) => ({ id: p.id, name: p.name })), affectedResources: affected, candidates, symptoms, summary, narrative, notes,
    };
    await this.record(actor, incident, result);
    return result;
  }

  /** Linked projects, the projects of linked runs and drift records, and CIs naming a project. */
  private async projectsOf(actor: Actor, incident: IncidentFacts): Promise<Project[]> {
    const all = await this.deps.projects.list(actor);
    const ids = new Set(linkIds(incident, 'project'));
    for (const run of await this.deps.collector.runs(actor.tenantId, linkIds(incident, 'run'))) if (run.projectId) ids.add(run.projectId);
    const driftIds = new Set(linkIds(incident, 'drift'));
    if (driftIds.size) {
      for (const d of await this.deps.collector.driftOf(actor.tenantId, this.deps.collector.scopeOf(all))) if (driftIds.has(d.id) && d.projectId) ids.add(d.projectId);
    }
    for (const ci of incident.ciIds) for (const p of all) if (p.id === ci || p.name === ci) ids.add(p.id);
    return all.filter((p) => ids.has(p.id));
  }

  /** The drift the incident is about: its linked drift records, else those of its projects still drifted. */
  private symptomsOf(incident: IncidentFacts, drift: DriftRecord[], projects: Project[]): Evidence[] {
    const linked = new Set(linkIds(incident, 'drift'));
    const chosen = linked.size ? drift.filter((d) => linked.has(d.id)) : drift.filter((d) => d.hasDrift);
    const name = projectNamer(projects);
    return chosen.filter((d) => d.lastCheckedAt && driftAddresses(d).length).map((d) => driftEvidence(d, name));
  }

  /** The analysis goes on the incident's timeline, for those who may write there. */
  private async record(actor: Actor, incident: IncidentFacts, r: RcaResult): Promise<void> {
    if (!can(actor, 'incidents:write')) return;
    const top = r.candidates[0];
    await this.deps.incidents.addTimeline(actor, incident.id, {
      kind: 'rca',
      message: top ? `RCA: most likely cause ${top.summary} (score ${top.score})` : 'RCA: no change found on the incident\'s projects in the window',
      details: { candidates: r.candidates.length, top: top ? { id: top.id, score: top.score, run_id: top.runId ?? null } : null, narrative: r.narrative.source },
    });
  }
}

function linkIds(incident: IncidentFacts, kind: string): string[] {
  return incident.links.filter((l) => l.kind === kind).map((l) => l.id);
}

/** What the model reads of a piece of evidence: no detail beyond addresses, actions and counts. */
function forModel(e: Evidence | RankedEvidence): Record<string, unknown> {
  return {
    id: e.id, kind: e.kind, at: e.at.toISOString(), project: e.project, summary: e.summary, actor: e.actor,
    addresses: e.addresses.slice(0, 50), destroys: e.destroys, replaces: e.replaces,
    ...('score' in e ? { rank: e.rank, score: e.score, reasons: e.reasons } : {}),
  };
}

export function summarize(incident: IncidentFacts, candidates: RankedEvidence[], affected: string[], windowMs: number): string {
  const span = formatAgo(windowMs);
  if (!candidates.length) {
    return `No apply, state write, lock event or pull request touched ${incident.reference}'s projects in the ${span} before it started${affected.length ? `; the affected resources (${affected.slice(0, 5).join(', ')}) changed outside Atlantas` : ''}.`;
  }
  const [top, ...rest] = candidates;
  const overlap = top.addresses.filter((a) => affected.includes(a));
  const parts = [
    `Most likely cause of ${incident.reference} ("${incident.title}"): ${top.summary}${top.actor ? `, by ${top.actor}` : ''}, ${formatAgo(Math.max(0, new Date(incident.createdAt).getTime() - top.at.getTime()))} before it started.`,
    overlap.length ? `It changed ${overlap.join(', ')}, which ${overlap.length === 1 ? 'is' : 'are'} affected.` : affected.length ? 'It touched none of the affected resources, so the cause may lie outside Atlantas.' : '',
    rest.length ? `${rest.length} other candidate${rest.length === 1 ? '' : 's'}: ${rest.slice(0, 3).map((c) => `${c.summary} (score ${c.score})`).join('; ')}${rest.length > 3 ? '; …' : ''}.` : '',
  ];
  return parts.filter(Boolean).join(' ');
}
