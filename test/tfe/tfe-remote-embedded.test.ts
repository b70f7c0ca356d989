import { describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp } from '../harness/start-app.js';
import { remoteWorkspaceDir } from './tfe-harness.js';

/** The same remote run on the embedded PGlite database (one replica, no LISTEN/NOTIFY). */
describe('TFE remote runs on the embedded database', () => {
  it('plans and applies an uploaded configuration', { timeout: 180_000 }, async () => {
    const app = await startTestApp({ embedded: true });
    onTestFinished(() => app.close());
    const user = await app.factories.user({ role: 'member' });
    const { wd, workspaceId } = await remoteWorkspaceDir(app, user.token, 'embedded');
    onTestFinished(() => wd.cleanup());
    expect((await wd.run(['init', '-input=false'])).code).toBe(0);
    const plan = await wd.run(['plan', '-input=false', '-detailed-exitcode']);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    const apply = await wd.run(['apply', '-auto-approve', '-input=false']);
    expect(apply.code, apply.output).toBe(0);
    expect(apply.stdout).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    const runs = await app.req('GET', `/api/v2/workspaces/${workspaceId}/runs`, { token: user.token });
    expect(runs.body.data.map((r: any) => r.attributes.status)).toEqual(['applied', 'planned_and_finished']);
  });
});
