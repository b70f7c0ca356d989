/**
 * `npx tsx bench/compare-trees.ts <treeA> <treeB> [rounds]`: the plan-phases bench of two
 * checkouts (e.g. /work/main and a branch's worktree), run alternately in the same minutes (A B,
 * then B A, ...) so that the load of a shared machine falls on both alike. Each run is a whole
 * `bench/index.ts plan-phases` in its tree (its own server, repository and raw-terraform floor);
 * this prints, per tree, the median over the rounds of each phase's p50, the total against the
 * floor, whether the sandbox was on, the load average beside each run, and B's total over A's.
 * Not a section of `npm run bench` (its name does not end in .bench.ts): it runs sections.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { table } from './support.js';

const exec = promisify(execFile);

interface Result {
  /** phase name → p50 ms, in the report's order */
  rows: Map<string, number>;
  total: number;
  floor: number;
  sandbox: string;
  /** 1-minute load average when the run started */
  load: number;
}

async function once(tree: string): Promise<Result> {
  const load = os.loadavg()[0];
  const { stdout } = await exec('npx', ['tsx', 'bench/index.ts', 'plan-phases'], {
    cwd: tree, env: process.env, maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60_000,
  });
  const rows = new Map<string, number>();
  let total = NaN;
  let floor = NaN;
  for (const line of stdout.split('\n')) {
    const m = /^(.+?)\s{2,}(\d+)\s+(\d+)$/.exec(line);
    if (!m) continue;
    if (m[1].startsWith('total')) [total, floor] = [Number(m[2]), Number(m[3])];
    else rows.set(m[1], Number(m[2]));
  }
  if (Number.isNaN(total)) throw new Error(`no total in the plan-phases report of ${tree}:\n${stdout}`);
  // A tree whose bench predates the sandbox line: say what this machine would have used.
  const sandbox = /^sandbox: (\S+)/m.exec(stdout)?.[1] ?? `not reported (bwrap ${bwrapOnPath() ? 'on PATH' : 'missing'}, ATLANTAS_SANDBOX=${process.env.ATLANTAS_SANDBOX ?? 'auto'})`;
  return { rows, total, floor, sandbox, load };
}

function bwrapOnPath(): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, 'bwrap')));
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function main(): Promise<number> {
  const [a, b, roundsArg] = process.argv.slice(2);
  if (!a || !b) {
    process.stderr.write('usage: npx tsx bench/compare-trees.ts <treeA> <treeB> [rounds]\n');
    return 2;
  }
  for (const tree of [a, b]) {
    if (!existsSync(path.join(tree, 'bench', 'plan-phases.bench.ts'))) {
      process.stderr.write(`${tree} has no bench/plan-phases.bench.ts\n`);
      return 2;
    }
  }
  const rounds = Math.max(1, Number(roundsArg ?? 3));
  const results: Record<'A' | 'B', Result[]> = { A: [], B: [] };
  for (let i = 0; i < rounds; i++) {
    const order: ('A' | 'B')[] = i % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    for (const which of order) {
      const r = await once(which === 'A' ? a : b);
      results[which].push(r);
      process.stderr.write(`round ${i + 1}/${rounds} ${which}: total ${r.total} ms, floor ${r.floor} ms, ${(r.total / r.floor).toFixed(2)}×, load ${r.load.toFixed(2)}, sandbox ${r.sandbox}\n`);
    }
  }
  const names = [...new Set([...results.A, ...results.B].flatMap((r) => [...r.rows.keys()]))];
  const cell = (rs: Result[], name: string) => {
    const xs = rs.flatMap((r) => (r.rows.has(name) ? [r.rows.get(name)!] : []));
    return xs.length ? median(xs).toFixed(0) : '-';
  };
  const rows = names.map((n) => [n, cell(results.A, n), cell(results.B, n)]);
  const totals = (rs: Result[]) => median(rs.map((r) => r.total));
  const floors = (rs: Result[]) => median(rs.map((r) => r.floor));
  const ratio = (rs: Result[]) => median(rs.map((r) => r.total / r.floor));
  rows.push(['total (request → response)', totals(results.A).toFixed(0), totals(results.B).toFixed(0)]);
  rows.push(['floor (init + plan by hand)', floors(results.A).toFixed(0), floors(results.B).toFixed(0)]);
  rows.push(['total ÷ floor (median of the runs)', ratio(results.A).toFixed(2), ratio(results.B).toFixed(2)]);
  const paired = results.A.map((r, i) => results.B[i].total / r.total);
  const loads = (rs: Result[]) => rs.map((r) => r.load.toFixed(2)).join(' ');
  const sandboxes = (rs: Result[]) => [...new Set(rs.map((r) => r.sandbox))].join(', ');
  process.stdout.write(`${table(['plan-phases, median of per-run p50 ms', `A`, `B`], rows)}
A = ${a} (sandbox: ${sandboxes(results.A)}; load average at each run: ${loads(results.A)})
B = ${b} (sandbox: ${sandboxes(results.B)}; load average at each run: ${loads(results.B)})
B ÷ A total: ${(totals(results.B) / totals(results.A)).toFixed(2)} (${rounds} rounds, alternating; BENCH_RUNS_ITERATIONS=${process.env.BENCH_RUNS_ITERATIONS ?? 10} requests per run)
B ÷ A of each round's pair (the two runs of a round saw nearly the same load): ${paired.map((r) => r.toFixed(2)).join(' ')}; median ${median(paired).toFixed(2)}
`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`compare-trees failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
