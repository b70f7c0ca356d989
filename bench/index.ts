/**
 * `npm run bench [-- <section> ...]`: runs every `bench/<name>.bench.ts` (or the named ones) in turn
 * and prints the report each returns. A section exports `run(): Promise<string>`; adding one is
 * adding a file. Timings live here, never in tests.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

interface Section {
  run(): Promise<string>;
}

const dir = path.dirname(fileURLToPath(import.meta.url));

async function sections(): Promise<string[]> {
  const files = await readdir(dir);
  return files.filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, '')).sort();
}

async function main(): Promise<number> {
  const available = await sections();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !available.includes(w));
  if (unknown.length) {
    process.stderr.write(`unknown bench section(s): ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
    return 2;
  }
  for (const name of wanted.length ? wanted : available) {
    const started = Date.now();
    process.stdout.write(`\n== ${name} ==\n`);
    const section = (await import(pathToFileURL(path.join(dir, `${name}.bench.ts`)).href)) as Section;
    process.stdout.write(`${await section.run()}\n(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
