import type { Actor } from '../actor.js';
import { matchesProjectPattern, policyRefusal } from '../approvals/agent-policy.js';
import type { ApprovalsService } from '../approvals/approvals.service.js';
import type { Project } from '../projects/project.model.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { Run } from '../runs/run.model.js';
import type { RunList } from '../runs/runs.service.js';
import type { AgentBehaviour, AgentContext, AgentResult, NotifiableFinding } from './agent-executor.js';
import { AGENT_CONFIG } from './agent.schemas.js';

/** What the apply bot needs of the approval gate: its policy path (the actor carries the agent's policy). */
export type ApprovalGate = Pick<ApprovalsService, 'applyRun'>;

/**
 * apply_bot: applies planned runs of the projects its policy names (config.projects, or the
 * registered projects marked auto_apply), only through the approval gate's policy path: its actor
 * carries that policy, the gate confirms a run only when the policy covers the project and the
 * plan's destroys, and everything else stays for a person. Pull-request runs are left to the PR
 * workflow and its apply requirements; a plan that destroys more than config.max_destroy is
 * reported once, never applied.
 */
export class ApplyBotAgent implements AgentBehaviour {
  constructor(private readonly deps: { gate: ApprovalGate; runs: { list(actor: Actor, filter: { status: ['planned']; limit: number; offset: number }): Promise<RunList> }; projects: Pick<ProjectsService, 'list'> }) {}

  async run(ctx: AgentContext): Promise<AgentResult> {
    const config = AGENT_CONFIG.apply_bot.parse(ctx.agent.config);
    const projects = await this.deps.projects.list(ctx.actor);
    const patterns = config.projects.length ? config.projects : projects.filter((p) => p.autoApply).map((p) => p.name);
    const policy = { autoApply: patterns, maxDestroy: config.max_destroy };
    const actor = { ...ctx.actor, agentPolicy: policy };
    const { runs } = await this.deps.runs.list(ctx.actor, { status: ['planned'], limit: 100, offset: 0 });
    const findings: NotifiableFinding[] = [];
    const applied: string[] = [];
    for (const run of runs.filter((r) => r.prNumber === null && inTarget(ctx, r, projects))) {
      const name = projectNameOf(run, projects);
      if (!patterns.some((p) => matchesProjectPattern(p, name))) continue;
      // the gate's own rule, asked first: a plan beyond the policy is reported once, not turned into a request
      const refusal = policyRefusal(policy, name, run.resourcesDestroyed);
      if (refusal) {
        findings.push({ key: `destroys:${run.id}`, kind: 'apply_bot.needs_person', message: `${name}: ${refusal}; a person must apply it` });
        continue;
      }
      const outcome = await this.deps.gate.applyRun(actor, run.id, `apply_bot ${ctx.agent.name}`);
      if (outcome.status === 'confirmed') applied.push(run.id);
      const why = 'why' in outcome ? outcome.why : undefined;
      findings.push({ key: `${outcome.status}:${run.id}`, kind: `apply_bot.${outcome.status}`, message: `${name}: ${outcome.status === 'confirmed' ? 'applying' : `waits for a person (${why})`}` });
    }
    return { status: 'succeeded', summary: `${applied.length} run(s) applied`, findings, runIds: applied };
  }
}

function inTarget(ctx: AgentContext, run: Run, projects: Project[]): boolean {
  if (ctx.agent.targetProjectId) return run.projectId === ctx.agent.targetProjectId;
  if (ctx.agent.targetEnvironmentId) return run.environmentId === ctx.agent.targetEnvironmentId;
  if (ctx.agent.targetInstanceId) return projects.some((p) => p.id === run.projectId && p.instanceId === ctx.agent.targetInstanceId);
  return true;
}

/** The registered project's name, else the run's project name or dir (as the approval gate names it). */
function projectNameOf(run: Run, projects: Project[]): string {
  return projects.find((p) => p.id === run.projectId)?.name ?? (run.projectName || run.dir);
}
