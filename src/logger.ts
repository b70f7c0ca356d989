import { pino, type Logger } from 'pino';

export type { Logger };

/** The one root logger. Secrets never reach a log line: these paths are redacted everywhere. */
export const REDACT_PATHS = [
  'authorization', '*.authorization', 'req.headers.authorization', 'req.headers["x-atlantis-token"]', 'req.headers["x-atlantas-approver"]',
  'req.headers.cookie', 'x-atlantis-token', '*.token', '*.password', '*.secret', '*.privateKey',
  '*.private_key', '*.raw_token', '*.access_token', 'token', 'password', 'state', '*.state',
];

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream | pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'atlantas' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (options.destination ?? pino.destination(1)) as pino.DestinationStream,
  );
}
