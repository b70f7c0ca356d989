/**
 * Where the time of one `POST /api/plan` goes, next to the raw-terraform floor: request → claim
 * (queue wait), claim → first terraform (checkout: git, backend override), init, plan, show -json,
 * the gaps between them (our own glue), and last terraform → response (storage, status, the
 * waiter noticing). Timestamps come from the server's own log lines ('run claimed', 'terraform
 * started' / 'terraform finished' per command, which carry no secrets), captured in memory at
 * debug level; the floor is `terraform init` and `terraform plan` timed by hand in one directory,
 * one of each after every request (the load of a shared machine falls on both alike).
 * A reused working copy skips init when nothing it depends on changed, so its init is 0 and the
 * check is in checkout; show -json runs after the answer is written and is reported beside it,
 * not in it. The queue wait is split by the command's own debug milestones (CommandService),
 * and the plan's state backend requests by the server's access-log lines. Indented rows are
 * parts of the row above them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createBareRepo, insteadOfEnv } from '../test/harness/git-repo.js';
import { startTestApp, type TestApp } from '../test/harness/start-app.js';
import { tfData } from '../test/harness/tf-files.js';
import { atlantisPlan, percentile, table, timed } from './support.js';

const exec = promisify(execFile);
const ITERATIONS = Number(process.env.BENCH_RUNS_ITERATIONS ?? 10);
const SECRET = 'bench-phases-secret';
const SMALL = tfData(3);
const PHASES = [
  'queue wait', '  request, auth, allowlist', '  checkout of the command (git fetch)', '  read projects', '  enqueue transaction', '  wake + claim',
  'run checkout (claim → first terraform)', 'init', 'glue', 'plan', '  of which state backend requests (server time)', 'show', 'storage + response',
] as const;
/** Not in the answer's time: show -json after the answer (job.planDetails), reported beside it. */
const AFTER = 'show -json after the answer (off the path)';
type Phase = (typeof PHASES)[number];

export async function run(): Promise<string> {
  const repo = await createBareRepo({ owner: 'bench', name: 'phases' });
  try {
    await repo.commitFiles({ 'small/main.tf': SMALL }, 'one small project');
    const app = await startTestApp({
      env: { LOG_LEVEL: 'debug', ATLANTAS_API_SECRET: SECRET, ATLANTAS_RATE_LIMIT: '0' },
      childEnv: insteadOfEnv(repo.root),
    });
    const samples: Sample[] = [];
    let sandbox = 'unknown';
    // The floor is timed between the samples, one init + plan after each request, so that a
    // shared machine's load falls on both alike.
    const hand = await floor();
    try {
      // what the server says of its sandbox (bwrap or off): the overhead means little without it
      sandbox = String((await app.req('GET', '/status')).body?.sandbox ?? 'unknown');
      await atlantisPlan(app, SECRET, 'bench/phases'); // the clone and the first init, outside the measurement
      await showAfterAnswer(app, 0);
      await workerIdle(app);
      for (let i = 0; i < ITERATIONS; i++) {
        const from = app.logs.lines.length;
        const started = Date.now();
        const total = await timed(() => atlantisPlan(app, SECRET, 'bench/phases'));
        const lines = app.logs.lines.slice(from);
        // Each sample alone: the last one's show -json, and what its run does after it (the
        // working copy's reset, its scratch dir), finish before the next request.
        const after = await showAfterAnswer(app, from);
        await workerIdle(app);
        samples.push({ total, phases: phasesOf(lines, started, started + total), after, initSkipped: lines.some((l) => l.msg === 'terraform init skipped: nothing it depends on changed') });
        await hand.once();
      }
    } finally {
      await app.close();
      await hand.close();
    }
    return report(samples, hand, sandbox);
  } finally {
    await repo.cleanup();
  }
}

interface Sample {
  total: number;
  phases: Record<Phase, number>;
  /** ms of show -json once the answer was sent */
  after: number;
  initSkipped: boolean;
}

/** Waits for the show -json a plan runs after its answer; its duration. */
async function showAfterAnswer(app: TestApp, from: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const shown = app.logs.lines.slice(from).find((l) => l.msg === 'terraform finished' && l.cmd === 'show');
    if (shown) return Number(shown.durationMs);
    if (Date.now() > deadline) throw new Error('terraform show -json did not run after the answer');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits until the worker executes nothing: the last run released its working copy. */
async function workerIdle(app: TestApp): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (app.internals.worker.active() > 0) {
    if (Date.now() > deadline) throw new Error('the run did not end after its show -json');
    await new Promise((r) => setTimeout(r, 2));
  }
}


/** Splits [started, ended] at the logged moments; what lies between two terraform commands is glue. */
function phasesOf(lines: Record<string, unknown>[], started: number, ended: number): Record<Phase, number> {
  const at = (l: Record<string, unknown>) => Date.parse(String(l.time));
  const out = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  const within = lines.filter((l) => at(l) <= ended);
  const claimed = within.find((l) => l.msg === 'run claimed');
  const tf = within.filter((l) => l.msg === 'terraform started' || l.msg === 'terraform finished');
  if (!claimed || !tf.length) return out;
  out['queue wait'] = at(claimed) - started;
  // The command's milestones (debug lines of CommandService.submit) split the queue wait.
  const milestone = (msg: string) => within.find((l) => l.msg === msg);
  const marks = [milestone('command accepted'), milestone('command read the repository'), milestone('command resolved its projects'), milestone('command queued its runs')];
  if (marks.every(Boolean)) {
    const [accepted, read, resolved, queued] = marks.map((l) => at(l!));
    out['  request, auth, allowlist'] = accepted - started;
    out['  checkout of the command (git fetch)'] = read - accepted;
    out['  read projects'] = resolved - read;
    out['  enqueue transaction'] = queued - resolved;
    out['  wake + claim'] = at(claimed) - queued;
  }
  // terraform's http backend calls during the plan (lock, GET, unlock), as the server timed them
  const planStarted = tf.find((l) => l.msg === 'terraform started' && l.cmd === 'plan');
  out['  of which state backend requests (server time)'] = within
    .filter((l) => l.msg === 'request' && String(l.path).startsWith('/api/v1/tfstate/') && planStarted && at(l) >= at(planStarted))
    .reduce((sum, l) => sum + Number(l.ms), 0);
  out['run checkout (claim → first terraform)'] = at(tf[0]) - at(claimed);
  for (let i = 0; i < tf.length - 1; i++) {
    const span = at(tf[i + 1]) - at(tf[i]);
    const cmd = String(tf[i].cmd);
    if (tf[i].msg === 'terraform started') {
      const key = cmd === 'init' ? 'init' : cmd === 'plan' ? 'plan' : cmd === 'show' ? 'show' : 'glue';
      out[key] += span;
    } else out.glue += span;
  }
  out['storage + response'] = ended - at(tf[tf.length - 1]);
  return out;
}

/** `terraform init` and `terraform plan` by hand in one directory: `once()` times one of each. */
async function floor(): Promise<{ init: number[]; plan: number[]; once(): Promise<void>; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-floor-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
  const terraform = (...args: string[]) => exec('terraform', [...args, '-input=false', '-no-color'], { cwd: dir, env });
  const init: number[] = [];
  const plan: number[] = [];
  try {
    await writeFile(path.join(dir, 'main.tf'), SMALL);
    await terraform('init');
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    init,
    plan,
    async once() {
      init.push(await timed(() => terraform('init')));
      plan.push(await timed(() => terraform('plan')));
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

function report(samples: Sample[], hand: { init: number[]; plan: number[] }, sandbox: string): string {
  const p50 = (xs: number[]) => percentile(xs, 50).toFixed(0);
  const floorOf: Partial<Record<Phase, number[]>> = { init: hand.init, plan: hand.plan };
  const rows = PHASES.map((p) => [p, p50(samples.map((s) => s.phases[p])), floorOf[p] ? p50(floorOf[p]!) : '0']);
  const total = samples.map((s) => s.total);
  const floorTotal = hand.init.map((ms, i) => ms + hand.plan[i]);
  rows.push(['total (request → response)', p50(total), p50(floorTotal)]);
  rows.push([AFTER, p50(samples.map((s) => s.after)), '0']);
  const ratio = percentile(total, 50) / percentile(floorTotal, 50);
  // each request against the floor timed right after it: the figure the load moves least
  const paired = total.map((ms, i) => ms / floorTotal[i]);
  const skipped = samples.filter((s) => s.initSkipped).length;
  return `${table(['POST /api/plan, one small project', 'p50 ms', 'floor p50 ms'], rows)}
overhead (p50 ÷ floor p50): ${ratio.toFixed(2)}× (n=${samples.length}; phase p50s need not add up; init skipped on the reused working copy in ${skipped} of ${samples.length})
overhead, paired (median of each request ÷ the floor timed right after it): ${percentile(paired, 50).toFixed(2)}×
sandbox: ${sandbox} (ATLANTAS_SANDBOX=${process.env.ATLANTAS_SANDBOX ?? 'auto'}); load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`;
}
