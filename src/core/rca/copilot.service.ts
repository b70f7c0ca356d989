import type { Logger } from '../../logger.js';
import { can, requirePermission, type Actor } from '../actor.js';
import type { LlmClient } from '../ai/llm-client.js';
import type { Clock } from '../clock.js';
import type { DriftRepository } from '../drift/drift.repository.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { Run } from '../runs/run.model.js';
import type { CopilotQueryInput, Persona } from './ai.schemas.js';
import { driftAddresses, type EvidenceCollector } from './evidence-collector.js';
import type { EvidenceRepository } from './evidence.repository.js';
import { UNRESOLVED_INCIDENT_STATUSES, type IncidentFacts, type IncidentPort } from './incident-port.js';
import { narrate, type Narrative } from './rca-narrative.js';
import type { RcaService } from './rca.service.js';

export type CopilotIntent = 'failed_runs' | 'recent_applies' | 'drift' | 'open_incidents' | 'state_history' | 'incident_cause';

/** Keywords that pick what to look at (deterministic); no match looks at everything. */
const INTENT_WORDS: [CopilotIntent, RegExp][] = [
  ['failed_runs', /\b(fail(ed|ing|ure|s)?|error(ed|s)?|broke(n)?|crash(ed)?)\b/i],
  ['recent_applies', /\b(appl(y|ied|ies)|deploy(ed|s|ment)?|change[sd]?|release[sd]?)\b/i],
  ['drift', /\b(drift(ed|s)?|out of sync|changed outside|manual(ly)? change)/i],
  ['open_incidents', /\b(incident(s)?|outage(s)?|p[1-5]|on[- ]call|page[sd]?)\b/i],
  ['state_history', /\b(state(s)?|serial|version(s)?|lineage)\b/i],
  ['incident_cause', /\b(cause[sd]?|why|root|rca)\b/i],
];

export interface CopilotAnswer {
  query: string;
  persona: Persona;
  intents: CopilotIntent[];
  answer: string;
  narrative: Narrative;
  data: {
    failedRuns?: RunLine[];
    recentApplies?: RunLine[];
    drift?: { id: string; project: string; workspace: string; summary: string | null; addresses: string[]; lastCheckedAt: Date | null }[];
    openIncidents?: { id: string; reference: string; title: string; severity: string; status: string; createdAt: Date }[];
    stateHistory?: { state: string; workspace: string; version: number; serial: number; by: string; at: Date }[];
    incidentCause?: { reference: string; summary: string; topCandidate: string | null };
  };
}

interface RunLine { id: string; project: string; operation: string; status: string; summary: string | null; by: string; at: Date }

interface Deps {
  repo: EvidenceRepository;
  collector: EvidenceCollector;
  drift: DriftRepository;
  incidents: IncidentPort;
  projects: ProjectsService;
  rca: RcaService;
  llm?: LlmClient;
  clock: Clock;
  log: Logger;
}

const LOOKBACK_MS = 7 * 86_400_000;
const TASK = 'Answer the user\'s question (in "question") for the given persona in at most 6 sentences, plain text, from the data only.';

/**
 * The copilot: a question about the tenant's runs, drift, incidents and state history. Keywords
 * pick what to read; the answer is written by the model from that data (when one is configured)
 * or by the rules below. Every read goes through the caller's tenant and permissions.
 */
export class CopilotService {
  constructor(private readonly deps: Deps) {}

  async query(actor: Actor, input: CopilotQueryInput): Promise<CopilotAnswer> {
    requirePermission(actor, 'run:read');
    const matched = INTENT_WORDS.filter(([, re]) => re.test(input.query)).map(([i]) => i);
    const reference = /\bINC-\d{1,8}\b/i.exec(input.query)?.[0]?.toUpperCase();
    let intents: CopilotIntent[] = matched.length ? matched : ['failed_runs', 'recent_applies', 'drift', 'open_incidents'];
    if (intents.includes('incident_cause') && !intents.includes('open_incidents')) intents = [...intents, 'open_incidents'];
    if (!can(actor, 'incidents:read')) intents = intents.filter((i) => i !== 'open_incidents' && i !== 'incident_cause');
    const data = await this.gather(actor, intents, reference);
    const answer = render(input.persona, data);
    const narrative = await narrate(this.deps.llm, this.deps.log, TASK, { question: input.query, persona: input.persona, intents, data }, answer);
    return { query: input.query, persona: input.persona, intents, answer: narrative.text, narrative, data };
  }

  private async gather(actor: Actor, intents: CopilotIntent[], reference: string | undefined): Promise<CopilotAnswer['data']> {
    const since = new Date(this.deps.clock.now().getTime() - LOOKBACK_MS);
    const projects = await this.deps.projects.list(actor);
    const nameOf = (r: Run) => projects.find((p) => p.id === r.projectId)?.name ?? `${r.repoFullName}/${r.dir}`;
    const line = (r: Run): RunLine => ({ id: r.id, project: nameOf(r), operation: r.operation, status: r.status, summary: r.summary, by: r.approvedBy ?? r.actorName, at: r.finishedAt ?? r.updatedAt });
    const data: CopilotAnswer['data'] = {};
    if (intents.includes('failed_runs')) {
      data.failedRuns = (await this.deps.collector.runs(actor.tenantId, await this.deps.repo.recentRunIds(actor.tenantId, ['errored'], since, 20))).map(line);
    }
    if (intents.includes('recent_applies')) {
      data.recentApplies = (await this.deps.collector.runs(actor.tenantId, await this.deps.repo.recentRunIds(actor.tenantId, ['applied'], since, 20))).map(line);
    }
    if (intents.includes('drift')) {
      data.drift = (await this.deps.drift.list(actor.tenantId, { hasDrift: true })).slice(0, 50).map((d) => ({
        id: d.id, project: projects.find((p) => p.id === d.projectId)?.name ?? `${d.repoFullName}/${d.dir}`, workspace: d.workspace, summary: d.summary,
        addresses: driftAddresses(d), lastCheckedAt: d.lastCheckedAt,
      }));
    }
    let open: IncidentFacts[] = [];
    if (intents.includes('open_incidents')) {
      open = (await this.deps.incidents.list(actor, { limit: 200, offset: 0 })).items.filter((i) => UNRESOLVED_INCIDENT_STATUSES.includes(i.status));
      data.openIncidents = open.slice(0, 20).map((i) => ({ id: i.id, reference: i.reference, title: i.title, severity: i.severity, status: i.status, createdAt: i.createdAt }));
    }
    if (intents.includes('incident_cause')) {
      const target = reference ?? [...open].sort((a, b) => a.severity.localeCompare(b.severity) || +new Date(b.createdAt) - +new Date(a.createdAt))[0]?.reference;
      if (target) {
        const rca = await this.deps.rca.analyze(actor, target);
        data.incidentCause = { reference: rca.incident.reference, summary: rca.summary, topCandidate: rca.candidates[0]?.id ?? null };
      }
    }
    if (intents.includes('state_history') && can(actor, 'state:read')) {
      data.stateHistory = (await this.deps.repo.recentStateWrites(actor.tenantId, since, 20)).map((w) => ({ state: w.name, workspace: w.workspace, version: w.version, serial: w.serial, by: w.createdByName, at: w.createdAt }));
    }
    return data;
  }
}

/** The deterministic answer: one paragraph per kind of data, shorter for a manager. */
export function render(persona: Persona, data: CopilotAnswer['data']): string {
  const brief = persona === 'manager';
  const parts: string[] = [];
  const runs = (label: string, list: RunLine[]) =>
    list.length ? `${list.length} ${label} in the last 7 days${brief ? '' : `: ${list.slice(0, 5).map((r) => `${r.project} (${r.operation}, ${r.status}${r.summary ? `, ${r.summary}` : ''}, by ${r.by}, run ${r.id})`).join('; ')}`}.` : `No ${label} in the last 7 days.`;
  if (data.incidentCause) parts.push(data.incidentCause.summary);
  if (data.failedRuns) parts.push(runs('failed runs', data.failedRuns));
  if (data.recentApplies) parts.push(runs('applies', data.recentApplies));
  if (data.drift) {
    parts.push(data.drift.length
      ? `${data.drift.length} project${data.drift.length === 1 ? ' has' : 's have'} drift${brief ? '' : `: ${data.drift.slice(0, 5).map((d) => `${d.project} (${d.workspace})${d.addresses.length ? ` on ${d.addresses.slice(0, 3).join(', ')}` : ''}`).join('; ')}`}.`
      : 'No project has drift.');
  }
  if (data.openIncidents) {
    parts.push(data.openIncidents.length
      ? `${data.openIncidents.length} open incident${data.openIncidents.length === 1 ? '' : 's'}${brief ? '' : `: ${data.openIncidents.slice(0, 5).map((i) => `${i.reference} ${i.severity} "${i.title}" (${i.status})`).join('; ')}`}.`
      : 'No open incident.');
  }
  if (data.stateHistory) {
    parts.push(data.stateHistory.length
      ? `${data.stateHistory.length} state writes in the last 7 days${brief ? '' : `: ${data.stateHistory.slice(0, 5).map((s) => `${s.state}/${s.workspace} v${s.version} by ${s.by}`).join('; ')}`}.`
      : 'No state was written in the last 7 days.');
  }
  return parts.join(' ');
}
