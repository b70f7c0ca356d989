import type { Sequelize } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { InputError, NotAllowedError, NotFoundError } from '../errors.js';
import type { ApiToken } from './api-token.model.js';
import type { ApiTokenRepository } from './api-token.repository.js';
import { generateRawToken, hashToken } from './api-token.js';
import type { CreateTokenInput } from './auth.schemas.js';
import { toAgentPolicy } from '../approvals/agent-policy.js';
import { isAgentToken, scopeOfRole, scopesAbove, type TokenScope } from './token-scopes.js';

export type PublicToken = Omit<ApiToken, 'tokenHash'>;

function toPublicToken(t: ApiToken): PublicToken {
  const { tokenHash: _omit, ...rest } = t;
  return rest;
}

export interface TokensDeps {
  sequelize: Sequelize;
  tokens: ApiTokenRepository;
  audit: AuditLog;
  clock: Clock;
  /** ATLANTAS_TOKEN_MAX_TTL: the longest a token may live; a token asked without expiry gets it */
  maxTtlMs?: number;
}

/** Personal API tokens: `atl_…`, shown once, stored as SHA-256, scoped, revocable at once. */
export class TokensService {
  constructor(private readonly deps: TokensDeps) {}

  async list(actor: Actor): Promise<PublicToken[]> {
    requirePermission(actor, 'token:own');
    return (await this.deps.tokens.listActive(actor.tenantId, this.ownerOf(actor))).map(toPublicToken);
  }

  /**
   * A new token of the caller. Its scopes default to the caller's role and may not exceed it
   * (a token minted by a read-scoped token is read-scoped at most).
   */
  async create(actor: Actor, input: CreateTokenInput): Promise<PublicToken & { rawToken: string }> {
    requirePermission(actor, 'token:own');
    // An agent minting a person's token would walk around the approval gate.
    if (actor.automation) throw new NotAllowedError(`${actor.name} is an automated agent and may not create API tokens`, { code: 'forbidden' });
    const userId = this.ownerOf(actor);
    const scopes: TokenScope[] = input.scopes ? [...new Set(input.scopes)] : [scopeOfRole(actor.role)];
    const above = scopesAbove(scopes, actor.role);
    if (above.length) {
      throw new NotAllowedError(`a token cannot do more than its user: scope ${above.join(', ')} needs a higher role than ${actor.role}`, { code: 'token_scope_exceeds_role' });
    }
    if (input.mcp_policy && !isAgentToken(scopes)) {
      throw new InputError('mcp_policy applies to an AI agent\'s token only: add scope mcp:write (or mcp:read), or leave mcp_policy out', { code: 'validation_error' });
    }
    const mcpPolicy = input.mcp_policy ? toAgentPolicy(input.mcp_policy) : null;
    const raw = generateRawToken();
    const lifetime = this.lifetimeMs(input.expires_in_days);
    const expiresAt = lifetime === null ? null : new Date(this.deps.clock.now().getTime() + lifetime);
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const token = await this.deps.tokens.create(
        { tenantId: actor.tenantId, userId, name: input.name, tokenHash: hashToken(raw), tokenPrefix: raw.slice(0, 8), scopes, expiresAt, mcpPolicy },
        { transaction },
      );
      await this.deps.audit.record(actor, 'token.create', { type: 'api_token', id: token.id }, { name: input.name, scopes, ...(mcpPolicy ? { mcp_policy: input.mcp_policy } : {}) }, { transaction });
      return { ...toPublicToken(token), rawToken: raw };
    });
  }

  /** Owners revoke their own tokens; tenant admins may revoke any token in the tenant. */
  async revoke(actor: Actor, tokenId: string): Promise<void> {
    requirePermission(actor, 'token:own');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const owner = actor.role === 'admin' ? undefined : this.ownerOf(actor);
      const token = await this.deps.tokens.findRevocable(actor.tenantId, tokenId, owner, transaction);
      if (!token) throw new NotFoundError(`API token ${tokenId} not found`);
      await this.deps.tokens.revoke(token.id, this.deps.clock.now(), transaction);
      await this.deps.audit.record(actor, 'token.revoke', { type: 'api_token', id: tokenId }, { name: token.name }, { transaction });
    });
  }

  /** The asked lifetime, within ATLANTAS_TOKEN_MAX_TTL; null ("never expires") only when there is no maximum. */
  private lifetimeMs(days: number | undefined): number | null {
    const max = this.deps.maxTtlMs;
    if (days === undefined) return max ?? null;
    const asked = days * 86_400_000;
    if (max !== undefined && asked > max) {
      throw new InputError(`expires_in_days: this server allows tokens to live at most ${describeMs(max)}; ask for less, or omit it to get the maximum`, { code: 'token_ttl_too_long' });
    }
    return asked;
  }

  private ownerOf(actor: Actor): string {
    if (!actor.userId) throw new InputError('only users have API tokens', { code: 'no_user' });
    return actor.userId;
  }
}

function describeMs(ms: number): string {
  const units: [number, string][] = [[86_400_000, 'day'], [3_600_000, 'hour'], [60_000, 'minute'], [1000, 'second']];
  for (const [size, name] of units) {
    if (ms % size === 0 && ms >= size) return `${ms / size} ${name}${ms / size === 1 ? '' : 's'}`;
  }
  return `${ms} ms`;
}
