import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Secrets for CLI commands come from a file or from stdin, never from argv: arguments are visible
 * to every user of the machine (`ps`, /proc/<pid>/cmdline) and stay in shell history.
 */

/** The first line of `file` (a trailing newline is not part of the secret). */
export async function secretFromFile(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.code ?? err.message}`);
  });
  return firstLine(text);
}

/** One line from stdin: typed without echo on a terminal, or the first line of a pipe. */
export async function secretFromStdin(prompt: string, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) {
    process.stderr.write(prompt);
    const silent = new Writable({ write: (_chunk, _enc, done) => done() });
    const rl = createInterface({ input: stdin, output: silent, terminal: true });
    try {
      return await new Promise<string>((resolve) => rl.question('', resolve));
    } finally {
      rl.close();
      process.stderr.write('\n');
    }
  }
  let text = '';
  for await (const chunk of stdin) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  return firstLine(text);
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return (end >= 0 ? text.slice(0, end) : text).replace(/\r$/, '');
}
