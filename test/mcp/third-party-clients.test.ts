import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, REPO_ROOT } from '../harness/spawn-server.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { agentToken, textOf } from './mcp-client.js';

const run = promisify(execFile);
/** The installed entry point, as `npm install -g` or a desktop config runs it (it needs `npm run build`'s dist/). */
const BIN = fileURLToPath(new URL('../../bin/atlantas.js', import.meta.url));
/** The Inspector 0.17's own bin (runs on Node 20); its `--cli` mode is a scriptable third-party MCP client. */
const INSPECTOR = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/inspector/cli/build/cli.js', import.meta.url));

describe('third-party clients: atlantas mcp over stdio, and the MCP Inspector CLI', () => {
  let app: TestApp;
  let token: string;
  // builds dist/ for bin/atlantas.js first
  beforeAll(async () => {
    await run(process.execPath, [fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, timeout: 120_000 });
    app = await startTestApp();
    token = (await agentToken(app)).token;
    const project = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'net', repository_url: 'https://github.com/acme/net', terraform_path: 'vpc' } });
    expect(project.status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  /** `atlantas mcp` as a desktop assistant starts it: only ATLANTAS_URL and ATLANTAS_TOKEN, no database or key. */
  const stdioEnv = (t = token) => cleanEnv({ ATLANTAS_URL: app.url, ATLANTAS_TOKEN: t });

  it('the SDK client over stdio, through the real `bin/atlantas.js mcp` process, lists tools and calls list_projects', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env: stdioEnv() as Record<string, string>, cwd: REPO_ROOT, stderr: 'pipe' });
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['whoami', 'plan', 'apply_run', 'get_plan']));
      const result = await client.callTool({ name: 'list_projects', arguments: {} });
      expect(result.structuredContent).toMatchObject({ projects: [expect.objectContaining({ name: 'net', terraform_path: 'vpc' })] });
      const missing = await client.callTool({ name: 'get_run', arguments: { run_id: '00000000-0000-4000-8000-000000000000' } });
      expect(textOf(missing)).toMatch(/^not_found: /);
    } finally {
      await client.close();
    }
  });

  it('`atlantas mcp` with a refused token answers each request with an error saying which token to use', async () => {
    const person = await app.factories.user({ role: 'member' });
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env: stdioEnv(person.token) as Record<string, string>, cwd: REPO_ROOT, stderr: 'pipe' });
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await expect(client.connect(transport)).rejects.toThrow(/MCP scope/);
    await client.close();
  });

  it('`atlantas mcp` without ATLANTAS_URL or ATLANTAS_TOKEN exits 78 and says what to set', async () => {
    const failed = await run(process.execPath, [BIN, 'mcp'], { env: cleanEnv({ ATLANTAS_URL: app.url }), cwd: REPO_ROOT }).catch((e) => e);
    expect(failed.code).toBe(78);
    expect(failed.stderr).toMatch(/set ATLANTAS_URL .* and ATLANTAS_TOKEN/);
  });

  it('the MCP Inspector CLI lists the tools and calls list_projects over HTTP', async () => {
    const base = [INSPECTOR, '--cli', `${app.url}/mcp`, '--transport', 'http', '--header', `Authorization: Bearer ${token}`];
    const listed = await run(process.execPath, [...base, '--method', 'tools/list'], { env: cleanEnv(), timeout: 60_000 });
    const tools = JSON.parse(listed.stdout).tools as { name: string; annotations: Record<string, boolean> }[];
    expect(tools.find((t) => t.name === 'apply_run')?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    const called = await run(process.execPath, [...base, '--method', 'tools/call', '--tool-name', 'list_projects'], { env: cleanEnv(), timeout: 60_000 });
    expect(JSON.parse(called.stdout)).toMatchObject({ structuredContent: { projects: [expect.objectContaining({ name: 'net' })] } });
  });

  it('the MCP Inspector CLI drives `atlantas mcp` over stdio', async () => {
    const args = [INSPECTOR, '--cli', '-e', `ATLANTAS_URL=${app.url}`, '-e', `ATLANTAS_TOKEN=${token}`, process.execPath, BIN, 'mcp', '--method', 'tools/call', '--tool-name', 'whoami'];
    const called = await run(process.execPath, args, { env: cleanEnv(), cwd: REPO_ROOT, timeout: 60_000 });
    expect(JSON.parse(called.stdout)).toMatchObject({ structuredContent: { agent: true, role: 'member' } });
  });
});
