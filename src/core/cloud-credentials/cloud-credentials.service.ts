import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Sequelize, Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { translateConstraints } from '../db/unique.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { Encryptor } from '../secrets/encryption.js';
import { cloudCredentialAad, newCredentialId, type CloudCredential, type CloudCredentialRepository, type CloudCredentialRow } from './cloud-credential.repository.js';
import { parseCredentials, type CloudProvider, type CreateCloudCredentialInput, type UpdateCloudCredentialInput } from './cloud-credential.schemas.js';
import type { CheckResult, ProviderChecks } from './provider-checks.js';

interface Deps {
  sequelize: Sequelize;
  repo: CloudCredentialRepository;
  encryptor: Encryptor;
  checks: ProviderChecks;
  audit: AuditLog;
  clock: Clock;
}

export interface ValidationOutcome extends CheckResult {
  credential: CloudCredential;
}

/**
 * A tenant's cloud credentials. Secrets go in sealed and never come out through this service:
 * what it returns has the field names and a fingerprint only. Admins manage them and decide
 * which project or environment uses one (that decides whose code gets the keys); members see them.
 */
export class CloudCredentialsService {
  private readonly fingerprintKey: Buffer;

  constructor(private readonly deps: Deps) {
    this.fingerprintKey = deps.encryptor.derive('cloud-credential-fingerprint');
  }

  async list(actor: Actor): Promise<CloudCredential[]> {
    requirePermission(actor, 'credential:read');
    return (await this.deps.repo.list(actor.tenantId)).map(publicOf);
  }

  async get(actor: Actor, id: string): Promise<CloudCredential> {
    requirePermission(actor, 'credential:read');
    return publicOf(await this.find(actor, id));
  }

  async create(actor: Actor, input: CreateCloudCredentialInput): Promise<CloudCredential> {
    requirePermission(actor, 'credential:manage');
    const id = newCredentialId();
    const row = await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const created = await translateConstraints(`cloud credential "${input.name}"`, () =>
        this.deps.repo.insert({
          id, tenantId: actor.tenantId, name: input.name, provider: input.provider, credentialType: input.credentialType,
          ...this.seal(actor.tenantId, id, input.secrets), createdBy: actor.name,
        }, transaction));
      await this.deps.audit.record(actor, 'cloud_credential.create', { type: 'cloud_credential', id }, { name: input.name, provider: input.provider, credential_type: input.credentialType }, { transaction });
      return created;
    });
    return publicOf(row);
  }

  /** Renames, and/or rotates: new `credentials_json` replaces the old secrets whole and clears the last validation. */
  async update(actor: Actor, id: string, input: UpdateCloudCredentialInput): Promise<CloudCredential> {
    requirePermission(actor, 'credential:manage');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await this.find(actor, id, transaction, true);
      if (input.name !== undefined && input.name !== row.name) {
        await translateConstraints(`cloud credential "${input.name}"`, () => this.deps.repo.rename(actor.tenantId, row.id, input.name!, transaction));
      }
      let rotated: string | undefined;
      if (input.credentials_json) {
        const parsed = checkedSecrets(row.provider, input.credential_type ?? row.credentialType, input.credentials_json);
        await this.deps.repo.replaceSecrets(actor.tenantId, row.id, { credentialType: parsed.type, ...this.seal(actor.tenantId, row.id, parsed.secrets) }, transaction);
        rotated = parsed.type;
      }
      await this.deps.audit.record(actor, rotated ? 'cloud_credential.rotate' : 'cloud_credential.update', { type: 'cloud_credential', id: row.id },
        { ...(input.name !== undefined ? { name: input.name } : {}), ...(rotated ? { credential_type: rotated, secrets: 'replaced' } : {}) }, { transaction });
    });
    return this.get(actor, id);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'credential:manage');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await this.find(actor, id, transaction, true);
      const users = await this.deps.repo.users(actor.tenantId, row.id, transaction);
      if (users.length) {
        const named = users.map((u) => `${u.kind} ${u.name}`).join(', ');
        throw new ConflictError(`cloud credential "${row.name}" is used by ${named}; set their cloud_credential_id to another credential or null first`, { code: 'cloud_credential_in_use' });
      }
      await this.deps.repo.delete(actor.tenantId, row.id, transaction);
      await this.deps.audit.record(actor, 'cloud_credential.delete', { type: 'cloud_credential', id: row.id }, { name: row.name, provider: row.provider }, { transaction });
    });
  }

  /** Asks the provider whether the secrets work, and records the answer (unless they were rotated meanwhile). */
  async validate(actor: Actor, id: string): Promise<ValidationOutcome> {
    requirePermission(actor, 'credential:manage');
    const row = await this.find(actor, id);
    const result = await this.deps.checks.check(row.provider, row.credentialType, this.open(row));
    await this.deps.repo.recordValidation(actor.tenantId, row.id, row.fingerprint, { ok: result.valid, message: result.message, identity: result.identity, at: this.deps.clock.now() });
    await this.deps.audit.record(actor, 'cloud_credential.validate', { type: 'cloud_credential', id: row.id }, { valid: result.valid });
    return { ...result, credential: await this.get(actor, id) };
  }

  /**
   * Projects and environments naming a credential: only an admin may point one at a credential
   * (whoever can run the project gets its keys), and only at one of the tenant's own.
   */
  /**
   * Whether an admin may give this credential to a project or an environment; an environment's
   * (`provider`) must be of the environment's own cloud, or its runs would get keys for a cloud
   * they do not run on and none for the one they do.
   */
  async assertAssignable(actor: Actor, id: string, transaction?: Transaction, provider?: { cloud: string; environment: string }): Promise<void> {
    requirePermission(actor, 'credential:manage');
    const row = await this.find(actor, id, transaction);
    if (provider && row.provider !== provider.cloud) {
      throw new InputError(
        `cloud credential ${row.name} is for ${row.provider}, but environment ${provider.environment} runs on ${provider.cloud}: choose a ${provider.cloud} credential or change cloud_provider`,
        { code: 'cloud_credential_provider_mismatch' },
      );
    }
  }

  /** The decrypted secrets of a row (for the run's environment and validation only; never returned to a caller). */
  open(row: CloudCredentialRow): Record<string, unknown> {
    return JSON.parse(this.deps.encryptor.openString(row.secrets, cloudCredentialAad(row.tenantId, row.id))) as Record<string, unknown>;
  }

  private seal(tenantId: string, id: string, secrets: Record<string, unknown>) {
    const json = JSON.stringify(secrets);
    return {
      fieldNames: Object.keys(secrets).sort(),
      fingerprint: 'sha256:' + createHmac('sha256', this.fingerprintKey).update(`${tenantId}\n${canonical(secrets)}`).digest('hex').slice(0, 32),
      secrets: this.deps.encryptor.seal(json, cloudCredentialAad(tenantId, id)),
    };
  }

  private async find(actor: Actor, id: string, transaction?: Transaction, forUpdate = false): Promise<CloudCredentialRow> {
    const row = isUuid(id) ? await this.deps.repo.find(actor.tenantId, id, transaction, forUpdate) : null;
    if (!row) throw new NotFoundError(`cloud credential ${id} not found`, { code: 'cloud_credential_not_found' });
    return row;
  }
}

function publicOf({ secrets: _sealed, ...rest }: CloudCredentialRow): CloudCredential {
  return rest;
}

/** Key order does not change a fingerprint. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function checkedSecrets(provider: CloudProvider, type: string, json: Record<string, unknown>): { type: string; secrets: Record<string, unknown> } {
  let out: { type: string; secrets: Record<string, unknown> } | null = null;
  const result = z.unknown().superRefine((_, ctx) => {
    out = parseCredentials(provider, type, json, ctx);
  }).safeParse(json);
  if (!result.success || !out) {
    const issues = (result.error?.issues ?? []).map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new InputError(issues.map((i) => `${i.path}: ${i.message}`).join('; ') || 'credentials_json is invalid', { code: 'validation_error', issues });
  }
  return out;
}
