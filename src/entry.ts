import { runCli } from './cli.js';

// The process entry: `node dist/src/entry.js <command>` (bin/atlantas.js) or `tsx src/entry.ts`.
const code = await runCli(process.argv.slice(2));
process.exit(code);
