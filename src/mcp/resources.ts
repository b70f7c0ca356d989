import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { rpcGuarded } from './to-tool-result.js';
import type { McpTool, ToolContext } from './tool.js';
import { getPlanTool } from './tools/get-plan.tool.js';
import { getProjectTool } from './tools/get-project.tool.js';
import { getRunLogsTool } from './tools/get-run-logs.tool.js';
import { getStateOutputsTool } from './tools/get-state-outputs.tool.js';

/**
 * Resource templates over the same core calls as the read tools (each read runs the tool's own
 * body), for clients that attach context by URI. A refused or missing object is a JSON-RPC error
 * whose message starts with the tool error code.
 */
export function registerResources(server: McpServer, ctx: ToolContext): void {
  const recentRuns = async () => (await ctx.core.runs.list(ctx.actor, { limit: 20, offset: 0 })).runs;
  const listOf = (items: { uri: string; name: string }[]) => ({ resources: items });

  register(server, ctx, 'run-log', 'atlantas://runs/{id}/log', 'text/plain', 'A run\'s terraform output (first 20,000 characters; page with get_run_logs)',
    async () => listOf((await recentRuns()).map((r) => ({ uri: `atlantas://runs/${r.id}/log`, name: `log of ${r.operation} ${r.repoFullName} ${r.dir}` }))),
    async (id) => (await run(getRunLogsTool, ctx, { run_id: id, limit: 20_000, tail: false }) as { log: { text: string } }).log.text);
  register(server, ctx, 'run-plan', 'atlantas://runs/{id}/plan.json', 'application/json', 'A run\'s plan: counts and each resource\'s changed attributes (sensitive values redacted)',
    async () => listOf((await recentRuns()).map((r) => ({ uri: `atlantas://runs/${r.id}/plan.json`, name: `plan of ${r.operation} ${r.repoFullName} ${r.dir}` }))),
    async (id) => JSON.stringify(await run(getPlanTool, ctx, { run_id: id, view: 'changes', start: 0, limit: 200, tail: false }), null, 2));
  register(server, ctx, 'project', 'atlantas://projects/{id}', 'application/json', 'A registered project',
    async () => listOf((await ctx.core.projects.list(ctx.actor)).map((p) => ({ uri: `atlantas://projects/${p.id}`, name: p.name }))),
    async (id) => JSON.stringify(await run(getProjectTool, ctx, { project: id }), null, 2));
  register(server, ctx, 'state-outputs', 'atlantas://states/{id}/outputs', 'application/json', 'A state\'s root outputs (sensitive values redacted)',
    async () => listOf((await ctx.core.state.list(ctx.actor)).map((s) => ({ uri: `atlantas://states/${s.id}/outputs`, name: `outputs of ${s.name} (${s.workspace})` }))),
    async (id) => JSON.stringify(await run(getStateOutputsTool, ctx, { state_id: id }), null, 2));
}

function register(
  server: McpServer, ctx: ToolContext, name: string, template: string, mimeType: string, description: string,
  list: () => Promise<{ resources: { uri: string; name: string }[] }>, read: (id: string) => Promise<string>,
): void {
  server.registerResource(name, new ResourceTemplate(template, { list: () => rpcGuarded(ctx.log, list) }), { description, mimeType },
    async (uri, vars): Promise<ReadResourceResult> => ({ contents: [{ uri: uri.href, mimeType, text: await rpcGuarded(ctx.log, () => read(String(vars.id))) }] }));
}

async function run(tool: McpTool, ctx: ToolContext, args: Record<string, unknown>): Promise<unknown> {
  return (await tool.run(ctx, tool.input.parse(args))).structured;
}
