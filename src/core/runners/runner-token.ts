import { randomBytes } from 'node:crypto';

/** Runner tokens look unlike API tokens (`atl_`): no other API accepts one. */
export const RUNNER_TOKEN_PREFIX = 'atr_';

export function generateRunnerToken(): string {
  return RUNNER_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function looksLikeRunnerToken(value: string): boolean {
  return value.startsWith(RUNNER_TOKEN_PREFIX) && value.length > RUNNER_TOKEN_PREFIX.length + 20;
}
