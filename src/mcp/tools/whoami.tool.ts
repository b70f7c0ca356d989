import { z } from 'zod';
import { agentPolicyJson } from '../../core/approvals/agent-policy.js';
import { defineTool, READ_ONLY } from '../tool.js';

export const whoamiTool = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description: 'Shows who this assistant acts as in Atlantas: the user and token, the tenant, the role, and the token\'s apply policy. ' +
    'Use it first to learn what you may do: you may always read and plan with mcp:write; applying needs a human\'s approval unless the policy lists the project.',
  input: z.object({}),
  output: z.object({
    user: z.string(), tenant_id: z.string(), role: z.string(), token_id: z.string().nullable(), agent: z.boolean(),
    policy: z.object({ auto_apply: z.array(z.string()), max_destroy: z.number().int() }).nullable(),
  }),
  annotations: READ_ONLY,
  async run({ core, actor }) {
    const user = await core.auth.me(actor);
    const structured = {
      user: user.email, tenant_id: actor.tenantId, role: actor.role, token_id: actor.tokenId ?? null, agent: !!actor.automation,
      policy: agentPolicyJson(actor.agentPolicy),
    };
    const policy = structured.policy ? `auto-applies ${structured.policy.auto_apply.join(', ') || 'nothing'} (max_destroy ${structured.policy.max_destroy})` : 'no auto-apply policy';
    return { structured, text: `You act as ${user.email} with role ${actor.role}, as an agent token; ${policy}.` };
  },
});
