import { readFileSync } from 'node:fs';

/** The package version, read once (works from src/ under tsx and from dist/src/). */
function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')).version as string;
    } catch {
      /* try the next location */
    }
  }
  return '0.0.0';
}
export const VERSION = readVersion();
