import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RunPhase } from '../auth/run-credentials.js';
import { InputError } from '../errors.js';
import { phaseOnClaim } from './run-status.js';
import { assertExtraArgPathsInside } from './extra-args.js';
import { writeBackendOverride } from '../terraform/backend-override.js';
import { initArgs, workspaceSelectArgs } from '../terraform/terraform-args.js';
import type { PreparedProject, StepContext } from './step-context.js';
import { errorText, terraform } from './terraform-steps.js';

/** The project dir, the backend (Atlantas's own when the code declares none), init and workspace. */
export async function prepareProject(ctx: StepContext, checkoutDir: string, scratch: string): Promise<PreparedProject> {
  const { run, deps } = ctx;
  const root = await realpath(checkoutDir);
  const dir = await realpath(path.join(root, run.dir)).catch(() => null);
  if (!dir || (dir !== root && !dir.startsWith(root + path.sep)) || !(await stat(dir)).isDirectory()) {
    throw new InputError(`directory "${run.dir}" does not exist in ${run.repoFullName} at ${run.commitSha.slice(0, 8)}`);
  }
  await assertExtraArgPathsInside(run.extraArgs, dir, root);
  const address = `${deps.stateBaseUrl()}/api/v1/tfstate/${encodeURIComponent(run.stateName ?? '')}/${encodeURIComponent(run.workspace)}`;
  const override = run.stateName
    ? await writeBackendOverride(dir, { address, username: 'atlantas-run', password: deps.runToken(run, phaseOnClaim(run.status)), checkoutRoot: root })
    : { overridden: false, reconfigure: false, env: {} };
  const project: PreparedProject = { dir, writableDirs: [root, scratch], backendOverridden: override.overridden, env: override.env };
  ctx.writer.setPhase('init');
  const init = await terraform(ctx, project, initArgs({ reconfigure: true }));
  if (init.exitCode !== 0) throw new Error(`terraform init failed: ${errorText(init)}`);
  const select = workspaceSelectArgs(run.workspace, { backendOverridden: override.overridden });
  if (select) {
    const ws = await terraform(ctx, project, select);
    if (ws.exitCode !== 0) throw new Error(`terraform workspace select ${run.workspace} failed: ${errorText(ws)}`);
  }
  return project;
}

/**
 * The project with the state credential of `phase`: a run that applies right after its plan
 * (auto-apply) trades its plan credential, which cannot write state, for an apply one.
 */
export function withPhaseCredential(ctx: StepContext, project: PreparedProject, phase: RunPhase): PreparedProject {
  if (!project.backendOverridden || !ctx.run.stateName) return project;
  return { ...project, env: { ...project.env, TF_HTTP_PASSWORD: ctx.deps.runToken(ctx.run, phase) } };
}
