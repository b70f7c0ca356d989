import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { testDatabaseUrl } from './test-db.js';

/**
 * What someone holding a database dump or a backup reads: the real `pg_dump` of one schema
 * (tables and data), for "this value is never stored in plaintext" assertions.
 */
export async function dumpSchema(schema: string): Promise<string> {
  const { stdout } = await promisify(execFile)('pg_dump', ['--dbname', testDatabaseUrl(), '--schema', schema], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/**
 * The forms a marker takes in a dump when stored in clear: as text, as hex (how pg_dump writes
 * bytea), and as base64 at each of the 3 alignments (the middle, independent of its neighbours).
 */
export function plaintextForms(marker: string): string[] {
  const forms = [marker, Buffer.from(marker).toString('hex')];
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.from('x'.repeat(pad) + marker).toString('base64');
    forms.push(b64.slice(4 * Math.ceil(pad / 3) + 4, -4));
  }
  return forms;
}

/** The markers found in `text` in any plaintext form (an empty list is what tests want). */
export function leakedMarkers(text: string, markers: string[]): string[] {
  return markers.filter((m) => plaintextForms(m).some((form) => text.includes(form)));
}
