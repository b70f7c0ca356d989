import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Encryptor } from '../../secrets/encryption.js';
import type { DestinationType, TfeTrigger } from './tfe-notification.schemas.js';

/** One delivery's answer, as TFC's `delivery-responses` show it (the body cut short). */
export interface DeliveryResponse {
  url: string | null;
  code: number | null;
  body: string;
  successful: boolean;
  'sent-at': string;
}

/** A configuration as read: its secrets stay sealed (`secrets()` opens them for a delivery). */
export interface TfeNotificationConfiguration {
  id: string;
  tenantId: string;
  workspaceId: string;
  name: string;
  destinationType: DestinationType;
  enabled: boolean;
  triggers: TfeTrigger[];
  emailAddresses: string[];
  hasUrl: boolean;
  hasToken: boolean;
  deliveryResponses: DeliveryResponse[];
  createdAt: Date;
  updatedAt: Date;
}

export interface NotificationSecrets {
  url: string | null;
  token: string | null;
}

const FIELDS: [string, keyof TfeNotificationConfiguration][] = [
  ['id', 'id'], ['tenant_id', 'tenantId'], ['workspace_id', 'workspaceId'], ['name', 'name'], ['destination_type', 'destinationType'],
  ['enabled', 'enabled'], ['triggers', 'triggers'], ['email_addresses', 'emailAddresses'], ['has_url', 'hasUrl'], ['has_token', 'hasToken'],
  ['delivery_responses', 'deliveryResponses'], ['created_at', 'createdAt'], ['updated_at', 'updatedAt'],
];
const columns = (alias = '') => FIELDS.map(([c, f]) => `${alias}${c} AS "${f}"`).join(', ');
const COLUMNS = columns();

const aad = (id: string) => `tfe-notification:${id}`;
const KEEP_RESPONSES = 10;

/** Queries on `tfe_notification_configurations`, always within one tenant; the URL and token are sealed together. */
export class TfeNotificationRepository {
  constructor(private readonly deps: { sequelize: Sequelize; encryptor: Encryptor }) {}

  async insert(c: Omit<TfeNotificationConfiguration, 'hasUrl' | 'hasToken' | 'deliveryResponses' | 'createdAt' | 'updatedAt'>, secrets: NotificationSecrets, t?: Transaction): Promise<TfeNotificationConfiguration> {
    const sealed = this.deps.encryptor.seal(JSON.stringify(secrets), aad(c.id));
    const [row] = await this.q<TfeNotificationConfiguration>(
      `INSERT INTO tfe_notification_configurations (id, tenant_id, workspace_id, name, destination_type, enabled, triggers, email_addresses, has_url, has_token, key_id, sealed)
       VALUES (:id, :tenantId, :workspaceId, :name, :destinationType, :enabled, ${arr('triggers', c.triggers)}, ${arr('emailAddresses', c.emailAddresses)}, :hasUrl, :hasToken, :keyId, :data)
       RETURNING ${COLUMNS}`,
      { ...c, hasUrl: !!secrets.url, hasToken: !!secrets.token, keyId: sealed.keyId, data: sealed.data }, t,
    );
    return row!;
  }

  async update(tenantId: string, id: string, c: Pick<TfeNotificationConfiguration, 'name' | 'destinationType' | 'enabled' | 'triggers' | 'emailAddresses'>, secrets: NotificationSecrets, t?: Transaction): Promise<TfeNotificationConfiguration | null> {
    const sealed = this.deps.encryptor.seal(JSON.stringify(secrets), aad(id));
    const [row] = await this.q<TfeNotificationConfiguration>(
      `UPDATE tfe_notification_configurations SET name = :name, destination_type = :destinationType, enabled = :enabled,
         triggers = ${arr('triggers', c.triggers)}, email_addresses = ${arr('emailAddresses', c.emailAddresses)},
         has_url = :hasUrl, has_token = :hasToken, key_id = :keyId, sealed = :data, updated_at = now()
       WHERE tenant_id = :tenantId AND id = :id RETURNING ${COLUMNS}`,
      { ...c, tenantId, id, hasUrl: !!secrets.url, hasToken: !!secrets.token, keyId: sealed.keyId, data: sealed.data }, t,
    );
    return row ?? null;
  }

  async get(tenantId: string, id: string, t?: Transaction): Promise<TfeNotificationConfiguration | null> {
    const [row] = await this.q<TfeNotificationConfiguration>(`SELECT ${COLUMNS} FROM tfe_notification_configurations WHERE tenant_id = :tenantId AND id = :id${t ? ' FOR UPDATE' : ''}`, { tenantId, id }, t);
    return row ?? null;
  }

  async listByWorkspace(tenantId: string, workspaceId: string): Promise<TfeNotificationConfiguration[]> {
    return this.q(`SELECT ${COLUMNS} FROM tfe_notification_configurations WHERE tenant_id = :tenantId AND workspace_id = :workspaceId ORDER BY created_at, id`, { tenantId, workspaceId });
  }

  /**
   * The enabled configurations that tell any of `triggers`, of the TFE workspaces a run or drift of
   * (project or state, terraform workspace) belongs to: those naming the project, or the state.
   */
  async listEnabledForTarget(tenantId: string, target: { projectId: string | null; stateName: string | null; workspace: string }, triggers: string[]): Promise<TfeNotificationConfiguration[]> {
    if ((!target.projectId && !target.stateName) || !triggers.length) return [];
    return this.q(
      `SELECT ${columns('c.')} FROM tfe_notification_configurations c
       JOIN tfe_workspaces w ON w.tenant_id = c.tenant_id AND w.id = c.workspace_id
       WHERE c.tenant_id = :tenantId AND c.enabled AND c.triggers && ARRAY[:triggers]::text[] AND w.state_workspace = :workspace
         AND ((CAST(:projectId AS uuid) IS NOT NULL AND w.project_id = CAST(:projectId AS uuid)) OR (CAST(:stateName AS text) IS NOT NULL AND w.state_name = :stateName))
       ORDER BY c.id`,
      { tenantId, triggers, workspace: target.workspace, projectId: target.projectId, stateName: target.stateName },
    );
  }

  async delete(tenantId: string, id: string, t?: Transaction): Promise<boolean> {
    const rows = await this.q('DELETE FROM tfe_notification_configurations WHERE tenant_id = :tenantId AND id = :id RETURNING id', { tenantId, id }, t);
    return rows.length > 0;
  }

  async secrets(tenantId: string, id: string): Promise<NotificationSecrets> {
    const [row] = await this.q<{ keyId: string; data: Buffer }>('SELECT key_id AS "keyId", sealed AS data FROM tfe_notification_configurations WHERE tenant_id = :tenantId AND id = :id', { tenantId, id });
    if (!row?.data) return { url: null, token: null };
    return JSON.parse(this.deps.encryptor.openString(row, aad(id))) as NotificationSecrets;
  }

  /** Keeps the newest answers first, a few of them. */
  async recordResponse(tenantId: string, id: string, response: DeliveryResponse): Promise<void> {
    await this.q(
      `UPDATE tfe_notification_configurations
       SET delivery_responses = (SELECT COALESCE(jsonb_agg(r), '[]'::jsonb) FROM (
         SELECT r FROM jsonb_array_elements(CAST(:response AS jsonb) || delivery_responses) WITH ORDINALITY AS e(r, n) ORDER BY n LIMIT ${KEEP_RESPONSES}) x)
       WHERE tenant_id = :tenantId AND id = :id RETURNING id`,
      { tenantId, id, response: JSON.stringify([response]) },
    );
  }

  /** `atlantas rotate-key`: re-seals rows still under an older key. */
  async resealBatch(encryptor: Encryptor, limit: number, transaction: Transaction): Promise<number> {
    const rows = await this.q<{ id: string; keyId: string; data: Buffer }>(
      `SELECT id, key_id AS "keyId", sealed AS data FROM tfe_notification_configurations WHERE sealed IS NOT NULL AND key_id <> :current ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED`,
      { current: encryptor.currentKeyId, limit }, transaction,
    );
    for (const row of rows) {
      const sealed = encryptor.seal(encryptor.open(row, aad(row.id)), aad(row.id));
      await this.q('UPDATE tfe_notification_configurations SET key_id = :keyId, sealed = :data WHERE id = :id RETURNING id', { id: row.id, ...sealed }, transaction);
    }
    return rows.length;
  }

  private q<T extends object = Record<string, unknown>>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  }
}

/** `ARRAY[:name]` of a non-empty list (Sequelize expands it); an empty one is the empty array literal. */
function arr(name: string, values: readonly string[]): string {
  return values.length ? `ARRAY[:${name}]::text[]` : "'{}'::text[]";
}
