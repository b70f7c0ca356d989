import type { Logger } from '../../logger.js';
import { can, requirePermission, type Actor } from '../actor.js';
import type { AgentsService } from '../agents/agents.service.js';
import type { LlmClient } from '../ai/llm-client.js';
import type { Project } from '../projects/project.model.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { IncidentPort } from '../rca/incident-port.js';
import { narrate } from '../rca/rca-narrative.js';
import type { RcaService } from '../rca/rca.service.js';
import { CreateRunbookInput, type GenerateRunbookInput, type RunbookStep } from './runbook.schemas.js';
import type { Runbook } from './runbook.js';
import type { RunbooksService } from './runbooks.service.js';

interface Deps {
  runbooks: RunbooksService;
  incidents: IncidentPort;
  rca: RcaService;
  projects: ProjectsService;
  agents: AgentsService;
  llm?: LlmClient;
  log: Logger;
}

const TASK = 'Draft a runbook for the situation in the data as JSON only, no prose: {"name": string, "description": string, "steps": [...]}, ' +
  'each step one of {"action":"plan","project":P} {"action":"apply","project":P} {"action":"unlock","project":P} {"action":"trigger_agent","agent":A} ' +
  '{"action":"notify","message":M} {"action":"wait_for_approval","message":M}, where P is one of "projects" and A one of "agents" in the data.';

/**
 * Drafts a runbook from an incident (its RCA: the projects and the likely cause) or from a
 * description, saved as a draft for a person to review and publish. The model drafts when one
 * is configured and its draft validates and names only known projects and agents; otherwise
 * the rules below do.
 */
export class RunbookDrafter {
  constructor(private readonly deps: Deps) {}

  async generate(actor: Actor, input: GenerateRunbookInput): Promise<{ runbook: Runbook; source: 'llm' | 'deterministic'; note?: string }> {
    requirePermission(actor, 'incidents:write');
    const projects = await this.deps.projects.list(actor);
    const agents = can(actor, 'agent:read') ? await this.deps.agents.list(actor) : [];
    const situation = input.incident_id ? await this.fromIncident(actor, input.incident_id) : fromDescription(input.description!, input.rca_summary, projects, agents.map((a) => a.name));
    const draft = { ...situation.draft, name: input.name ?? situation.draft.name };
    let chosen = draft;
    let source: 'llm' | 'deterministic' = 'deterministic';
    let note: string | undefined;
    if (this.deps.llm) {
      const narrative = await narrate(this.deps.llm, this.deps.log, TASK, {
        situation: situation.facts, projects: projects.map((p) => p.name), agents: agents.map((a) => a.name), rca_summary: input.rca_summary ?? null,
      }, '');
      const parsed = narrative.source === 'llm' ? parseDraft(narrative.text, projects, agents.map((a) => a.name)) : null;
      if (parsed) {
        chosen = { ...parsed, name: input.name ?? parsed.name };
        source = 'llm';
      } else {
        note = narrative.note ?? 'the model\'s draft was not a valid runbook naming known projects; the rules drafted it';
      }
    }
    const runbook = await this.deps.runbooks.create(actor, chosen, { generatedBy: source, incidentId: situation.incidentId });
    return { runbook, source, ...(note ? { note } : {}) };
  }

  private async fromIncident(actor: Actor, ref: string): Promise<{ draft: CreateRunbookInput; facts: Record<string, unknown>; incidentId: string }> {
    const incident = await this.deps.incidents.get(actor, ref);
    const rca = await this.deps.rca.analyze(actor, incident.id);
    const top = rca.candidates[0];
    const focus = rca.projects.find((p) => p.id === top?.projectId) ?? (rca.projects.length <= 3 ? undefined : rca.projects[0]);
    const targets = focus ? [focus.name] : rca.projects.slice(0, 3).map((p) => p.name);
    const steps: RunbookStep[] = [{ action: 'notify', message: `${incident.reference} (${incident.severity}): runbook started for "${incident.title}"` }];
    if (incident.source === 'apply_failed') for (const p of targets) steps.push({ action: 'unlock', project: p });
    for (const p of targets) steps.push({ action: 'plan', project: p });
    if (targets.length) for (const p of targets) steps.push({ action: 'apply', project: p, note: 'restores the project to its code; a person approves the plan first' });
    else steps.push({ action: 'wait_for_approval', message: 'no project is linked to the incident: decide the fix by hand, then continue' });
    steps.push({ action: 'notify', message: `${incident.reference}: runbook steps done; check the incident and resolve it` });
    return {
      incidentId: incident.id,
      facts: { incident: { reference: incident.reference, title: incident.title, severity: incident.severity, source: incident.source }, rca_summary: rca.summary, affected_resources: rca.affectedResources },
      draft: {
        name: `${incident.reference}: ${incident.title}`.slice(0, 200),
        description: `Drafted from ${incident.reference}. ${rca.summary}`.slice(0, 20_000),
        steps,
      },
    };
  }
}

function fromDescription(description: string, rcaSummary: string | undefined, projects: Project[], agents: string[]): { draft: CreateRunbookInput; facts: Record<string, unknown>; incidentId: null } {
  const text = `${description} ${rcaSummary ?? ''}`;
  const mentioned = projects.filter((p) => new RegExp(`(^|[^\\w-])${escape(p.name)}([^\\w-]|$)`, 'i').test(text)).map((p) => p.name).slice(0, 5);
  const steps: RunbookStep[] = [{ action: 'notify', message: `runbook started: ${description.slice(0, 200)}` }];
  for (const a of agents.filter((a) => text.includes(a))) steps.push({ action: 'trigger_agent', agent: a });
  if (/\block(ed|s)?\b/i.test(text)) for (const p of mentioned) steps.push({ action: 'unlock', project: p });
  for (const p of mentioned) steps.push({ action: 'plan', project: p });
  if (mentioned.length && /\b(drift(ed)?|restore|roll ?back|revert|appl(y|ied)|fix)\b/i.test(text)) for (const p of mentioned) steps.push({ action: 'apply', project: p });
  else steps.push({ action: 'wait_for_approval', message: 'review the plans (or the situation) and continue when the fix is agreed' });
  steps.push({ action: 'notify', message: 'runbook steps done' });
  return {
    incidentId: null,
    facts: { description, rca_summary: rcaSummary ?? null },
    draft: { name: description.split(/[.\n]/)[0].slice(0, 120) || 'runbook', description: [description, rcaSummary].filter(Boolean).join('\n\n'), steps },
  };
}

/** The model's draft, if it is JSON of a valid runbook that names only known projects and agents. */
function parseDraft(text: string, projects: Project[], agents: string[]): CreateRunbookInput | null {
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  if (!json) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = CreateRunbookInput.safeParse(value);
  if (!parsed.success) return null;
  const names = new Set(projects.flatMap((p) => [p.name, p.id]));
  const known = parsed.data.steps.every((s) => ('project' in s ? names.has(s.project) : 'agent' in s ? agents.includes(s.agent) : true));
  return known ? parsed.data : null;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
