#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (`npm run build` produces dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/src/entry.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write('atlantas: dist/ is missing; run `npm run build` (npm start does it for you).\n');
  process.exit(1);
}
await import(compiled.href);
