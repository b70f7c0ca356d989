import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RUN_ID_ENV } from '../terraform/orphan-group.js';
import { parseApplyOutput } from '../terraform/plan-parser.js';
import { parseShowJson } from '../terraform/show-json.js';
import { applyArgs, planArgs, planOutcome, showJsonArgs, type PlanMode } from '../terraform/terraform-args.js';
import type { TerraformResult } from '../terraform/terraform-runner.js';
import { RunCanceled, type PreparedProject, type StepContext } from './step-context.js';
import { isSpeculative, statusAfterPlan } from './run-status.js';

const MODES: Record<string, PlanMode> = { plan: 'normal', apply: 'normal', destroy: 'destroy', refresh: 'refresh-only' };

/**
 * Runs terraform for a step; output streams into the run's log unless `quiet` (plan JSON holds
 * secrets). The process's pid is recorded on the run and the run's id is in its environment, so
 * that recovery can find and safely kill what a crashed server left running (orphan-group.ts).
 */
export async function terraform(ctx: StepContext, project: PreparedProject, args: string[], quiet = false): Promise<TerraformResult> {
  let recorded: Promise<unknown> = Promise.resolve();
  const result = await ctx.deps.runner.run({
    args, cwd: project.dir, writableDirs: project.writableDirs, env: { ...ctx.deps.terraformEnv, ...project.env, [RUN_ID_ENV]: ctx.run.id }, signal: ctx.signal, timeoutMs: ctx.deps.runTimeoutMs,
    onOutput: quiet ? undefined : (chunk) => ctx.writer.append(chunk),
    onSpawn: (pid) => {
      recorded = ctx.deps.repo.update(ctx.run.id, { runnerPid: pid }).catch((err) => ctx.deps.log.warn({ err, runId: ctx.run.id }, 'could not record the terraform pid'));
    },
  });
  await recorded;
  await ctx.writer.flush(); // all of a command's output is stored before the run's status moves
  if (result.canceled || ctx.signal.aborted) throw new RunCanceled(String((ctx.signal.reason as Error)?.message ?? 'canceled'));
  if (result.timedOut) throw new Error(`terraform ${args[0]} did not finish within ${Math.round(ctx.deps.runTimeoutMs / 1000)}s (ATLANTAS_RUN_TIMEOUT)`);
  return result;
}

/** The error terraform reported: its `Error:` blocks, else the end of its output. */
export function errorText(result: TerraformResult): string {
  const source = result.stderr.trim() || result.combined.trim();
  const start = source.indexOf('Error: ');
  const text = start >= 0 ? source.slice(start) : source;
  return (text.length > 4000 ? '…' + text.slice(-4000) : text) || `terraform exited with code ${result.exitCode}`;
}

/** plan → show -json → store the encrypted plan; returns 'apply' when the run applies right away. */
export async function makePlan(ctx: StepContext, project: PreparedProject, scratch: string): Promise<'apply' | 'stop'> {
  const { run, deps } = ctx;
  const before = project.backendOverridden && run.stateName ? await deps.states.current(run.tenantId, run.stateName, run.workspace) : null;
  await deps.repo.update(run.id, {
    stateSerialAtPlan: project.backendOverridden ? (before?.serial ?? 0) : null,
    stateLineageAtPlan: before?.lineage ?? null,
    stateName: project.backendOverridden ? run.stateName : null,
  });
  ctx.writer.setPhase('plan');
  const planFile = path.join(scratch, 'plan.tfplan');
  const result = await terraform(ctx, project, planArgs({ out: planFile, mode: MODES[run.operation], detailedExitcode: true, extraArgs: run.extraArgs }));
  const outcome = planOutcome(result.exitCode);
  if (outcome === 'error') {
    await deps.runs.finish(run, 'errored', { error: errorText(result), statusReason: 'terraform plan failed' });
    return 'stop';
  }
  const show = await terraform(ctx, project, showJsonArgs(planFile), true);
  if (show.exitCode !== 0) throw new Error(`terraform show -json failed: ${errorText(show)}`);
  const details = parseShowJson(show.stdout);
  const hasChanges = outcome === 'changes';
  const speculative = isSpeculative(run);
  if (hasChanges && !speculative) await deps.plans.save(run.tenantId, run.id, await readFile(planFile));
  const proceed = hasChanges && run.autoApply && !speculative && run.operation !== 'plan';
  const values = {
    hasChanges, summary: details.summary, resourcesAdded: details.toAdd, resourcesChanged: details.toChange,
    resourcesDestroyed: details.toDestroy, resourcesImported: details.toImport, plannedAt: new Date(),
    resourceChanges: details.resourceChanges.map((c) => ({ address: c.address, action: c.action })),
    resourceDrift: details.resourceDrift.map((c) => ({ address: c.address, action: c.action })),
  };
  const status = statusAfterPlan(hasChanges, proceed, speculative);
  if (status === 'planned_and_finished') {
    await deps.runs.finish(run, status, values);
    return 'stop';
  }
  // An auto-applied run goes straight on to applying: it never sits claimable in `confirmed`.
  await deps.repo.update(run.id, { ...values, status: proceed ? 'applying' : 'planned', approvedBy: proceed ? 'auto-apply' : null, approvedAt: proceed ? new Date() : null });
  deps.runs.notify(run, proceed ? 'applying' : 'planned');
  return proceed ? 'apply' : 'stop';
}

/** Applies exactly the saved plan; never a fresh one. */
export async function applyPlan(ctx: StepContext, project: PreparedProject, planFile: string): Promise<void> {
  ctx.writer.setPhase('apply');
  const result = await terraform(ctx, project, applyArgs(planFile));
  if (result.exitCode !== 0) {
    await ctx.deps.runs.finish(ctx.run, 'errored', { error: errorText(result), statusReason: 'terraform apply failed' });
    return;
  }
  const applied = parseApplyOutput(result.combined);
  await ctx.deps.runs.finish(ctx.run, 'applied', { statusReason: applied.summary ?? 'Apply complete!' });
}
