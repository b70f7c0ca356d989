import { createBareRepo, insteadOfEnv } from '../test/harness/git-repo.js';
import { startTestApp } from '../test/harness/start-app.js';
import { tfData } from '../test/harness/tf-files.js';
export async function run(): Promise<string> {
  const repo = await createBareRepo({ owner: 'bench', name: 'phases' });
  await repo.commitFiles({ 'small/main.tf': tfData(3) }, 'x');
  const app = await startTestApp({ env: { LOG_LEVEL: 'debug', ATLANTAS_API_SECRET: 's', ATLANTAS_RATE_LIMIT: '0' }, childEnv: insteadOfEnv(repo.root) });
  const plan = () => app.req('POST', '/api/plan', { headers: { 'x-atlantis-token': 's' }, body: { Repository: 'bench/phases', Ref: 'main', Type: 'Github', Paths: [{ Directory: 'small', Workspace: 'default' }] } });
  await plan(); await plan();
  const from = app.logs.lines.length; const t0 = Date.now();
  await plan();
  const out = app.logs.lines.slice(from).map((l: any) => `${Date.parse(l.time) - t0}ms ${l.msg} ${JSON.stringify({ args: l.args, cmd: l.cmd, svc: l.svc, durationMs: l.durationMs })}`).join('\n') + `\nend ${Date.now() - t0}`;
  await app.close(); await repo.cleanup();
  return out;
}
