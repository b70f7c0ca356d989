import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { Logger } from '../../logger.js';

/**
 * Bolt and the WebClient log through our pino logger (with its redaction), not the console.
 * Their messages are strings and errors; an error is passed as `err` so pino serialises it.
 */
export function boltLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const write = (method: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => {
    const err = msg.find((m) => m instanceof Error);
    const text = msg.filter((m) => !(m instanceof Error)).map(String).join(' ');
    if (err) log[method]({ err }, text);
    else log[method](text);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (l) => { level = l; },
    getLevel: () => level,
    setName: () => {},
  };
}
