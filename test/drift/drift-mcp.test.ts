import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { agentToken, connectMcp, textOf } from '../mcp/mcp-client.js';

describe('MCP drift tools through the real SDK client', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('drift_status answers the stored records; detect_drift of an unknown project is refused as REST refuses it', async () => {
    const client = await connectMcp(app, (await agentToken(app)).token);
    const status = await client.callTool({ name: 'drift_status', arguments: {} });
    expect(status.isError).toBeFalsy();
    expect(status.structuredContent).toEqual({ records: [] });
    const detect = await client.callTool({ name: 'detect_drift', arguments: { project: 'nope' } });
    expect(detect.isError).toBe(true);
    expect(textOf(detect)).toMatch(/project nope not found/);
  });
});
