import { z } from 'zod';

/**
 * A per-token policy (`mcp_policy` on POST /api/v1/users/tokens) that lets an AI agent apply
 * named projects without a human, while the plan stays within its limits. Everything else an
 * agent applies still waits for a human's approval. Pure.
 */
export const ProjectPattern = z.string().trim().min(1).max(200).regex(/^[A-Za-z0-9_.*-]+$/, 'must be a project name, with * as a wildcard (e.g. dev-*)');

export const McpPolicyInput = z
  .object({
    auto_apply: z.array(ProjectPattern).max(100).default([]).describe('project names (with * wildcards) the agent may apply without a human'),
    max_destroy: z.number().int().min(0).max(100_000).default(0).describe('the most resources an auto-applied plan may destroy (replacements count)'),
  })
  .strict();
export type McpPolicyInput = z.infer<typeof McpPolicyInput>;

export interface AgentPolicy {
  autoApply: string[];
  maxDestroy: number;
}

export function toAgentPolicy(input: McpPolicyInput): AgentPolicy {
  return { autoApply: input.auto_apply, maxDestroy: input.max_destroy };
}

export function agentPolicyJson(p: AgentPolicy | null | undefined) {
  return p ? { auto_apply: p.autoApply, max_destroy: p.maxDestroy } : null;
}

/** What the policy says about applying a plan: null when it allows it, else why not. */
export function policyRefusal(policy: AgentPolicy | null | undefined, project: string, toDestroy: number | null): string | null {
  if (!policy || !policy.autoApply.some((p) => matchesProjectPattern(p, project))) return `the token's policy does not auto-apply project "${project}"`;
  if (toDestroy === null) return 'the plan\'s destroy count is unknown';
  if (toDestroy > policy.maxDestroy) return `the plan destroys ${toDestroy} resource(s), more than the token's max_destroy (${policy.maxDestroy})`;
  return null;
}

/** A project name against an `auto_apply` pattern (`*` matches anything). */
export function matchesProjectPattern(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*') + '$');
  return re.test(name);
}
