/**
 * Domain errors. Core throws only these; each surface (REST envelopes, GitHub comments, Slack,
 * MCP) maps them to what its clients expect. `code` is stable and machine-readable.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(message: string, options: { code?: string; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? defaultCode(new.target.name);
    this.details = options.details;
  }
}

function defaultCode(name: string): string {
  return name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The caller sent something we cannot accept; the message says what to fix. */
export class InputError extends DomainError {
  readonly issues?: { path: string; message: string }[];
  constructor(message: string, options: { code?: string; issues?: { path: string; message: string }[]; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'invalid_input', cause: options.cause });
    this.issues = options.issues;
  }
}

/** Missing, malformed, expired or revoked credentials. */
export class AuthenticationError extends DomainError {}

/** Authenticated, but the role does not allow this. */
export class NotAllowedError extends DomainError {}

/** Does not exist, or belongs to another tenant (existence must not leak). */
export class NotFoundError extends DomainError {}

export class ConflictError extends DomainError {}

/** A lock is held by someone else; `holder` describes who. */
export class LockedError extends DomainError {
  readonly holder: unknown;
  constructor(message: string, holder: unknown, options: { code?: string } = {}) {
    super(message, { code: options.code ?? 'locked' });
    this.holder = holder;
  }
}

/** A state machine refused a move; `allowed` lists the states it may move to from where it is. */
export class InvalidTransitionError extends ConflictError {
  readonly allowed: readonly string[];
  constructor(message: string, allowed: readonly string[]) {
    super(message, { code: 'invalid_transition', details: { allowed } });
    this.allowed = allowed;
  }
}

/** A requirement for the operation is not met (apply requirements, stale plan). */
export class PreconditionFailedError extends DomainError {}

/** A quota or limit stops the operation. */
export class QuotaExceededError extends DomainError {}

/** Too many requests; retry after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message, { code: 'rate_limited' });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A feature is disabled or a dependency is down. */
export class UnavailableError extends DomainError {}

/** Server configuration is invalid; names every offending variable. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
