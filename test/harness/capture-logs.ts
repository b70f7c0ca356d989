import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.js';

export interface CapturedLogs {
  log: Logger;
  lines: Record<string, unknown>[];
  /** every captured line as raw text, for "never logged" assertions */
  text(): string;
}

/** A real pino logger writing into memory (Probot's MockLoggerTarget). */
export function captureLogs(level = 'debug'): CapturedLogs {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        try {
          lines.push(JSON.parse(line));
        } catch {
          lines.push({ msg: line });
        }
      }
      cb();
    },
  });
  return { log: createLogger({ level, destination: sink }), lines, text: () => raw.join('\n') };
}
