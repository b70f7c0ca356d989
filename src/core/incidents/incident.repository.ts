import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Incident, IncidentLink, LinkKind, TimelineEntry } from './incident.js';
import { referenceOf, UNRESOLVED_STATUSES, type IncidentStatus, type Severity } from './incident-status.js';

const COLUMNS = `id, tenant_id AS "tenantId", number, title, description, severity, status, source, ci_ids AS "ciIds", assignee,
  resolution_notes AS "resolutionNotes", resolved_by AS "resolvedBy", dedup_key AS "dedupKey", occurrences, episode, created_by AS "createdBy",
  last_seen_at AS "lastSeenAt", acknowledged_at AS "acknowledgedAt", resolved_at AS "resolvedAt", closed_at AS "closedAt",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

const TIMELINE = `id::text AS id, at, kind, message, actor_kind AS "actorKind", actor_name AS "actorName", via, link_kind AS "linkKind", link_id AS "linkId", details`;

export type NewIncident = Pick<Incident, 'tenantId' | 'number' | 'title' | 'description' | 'severity' | 'status' | 'source' | 'ciIds' | 'assignee' | 'dedupKey' | 'createdBy'>;
export type IncidentChanges = Partial<Pick<Incident,
  'title' | 'description' | 'severity' | 'status' | 'ciIds' | 'assignee' | 'resolutionNotes' | 'resolvedBy' | 'occurrences' | 'episode' |
  'lastSeenAt' | 'acknowledgedAt' | 'resolvedAt' | 'closedAt'>>;

const CHANGE_COLUMNS: Record<keyof IncidentChanges, string> = {
  title: 'title', description: 'description', severity: 'severity', status: 'status', ciIds: 'ci_ids', assignee: 'assignee',
  resolutionNotes: 'resolution_notes', resolvedBy: 'resolved_by', occurrences: 'occurrences', episode: 'episode', lastSeenAt: 'last_seen_at',
  acknowledgedAt: 'acknowledged_at', resolvedAt: 'resolved_at', closedAt: 'closed_at',
};

export interface NewTimelineEntry {
  incidentId: string;
  tenantId: string;
  at: Date;
  kind: string;
  message: string;
  actorKind: string;
  actorName: string;
  via: string;
  link: { kind: LinkKind; id: string } | null;
  details: Record<string, unknown>;
}

/** Queries on incidents, their links and timeline, always within one tenant; plain objects out. */
export class IncidentRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private q<T extends object>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  }

  /** Serialises incident creation and dedup within a tenant until the transaction ends (quota, dedup key, number). */
  async lockTenant(tenantId: string, transaction: Transaction): Promise<void> {
    await this.deps.sequelize.query("SELECT pg_advisory_xact_lock(hashtext('atlantas.incidents:' || :tenantId))", { replacements: { tenantId }, transaction });
  }

  async quota(tenantId: string, transaction: Transaction): Promise<{ limit: number; used: number }> {
    const [row] = await this.q<{ limit: number; used: number }>(
      `SELECT t.max_incidents AS "limit", (SELECT count(*)::int FROM incidents i WHERE i.tenant_id = t.id AND i.status IN (:unresolved)) AS used
       FROM tenants t WHERE t.id = :tenantId`,
      { tenantId, unresolved: UNRESOLVED_STATUSES }, transaction,
    );
    return row ?? { limit: 0, used: 0 };
  }

  /** The tenant's next number, gap-free: the counter row moves in the caller's transaction and rolls back with it. */
  async nextNumber(tenantId: string, transaction: Transaction): Promise<number> {
    const [row] = await this.q<{ n: number }>(
      `INSERT INTO incident_counters (tenant_id, last_number) VALUES (:tenantId, 1)
       ON CONFLICT (tenant_id) DO UPDATE SET last_number = incident_counters.last_number + 1 RETURNING last_number AS n`,
      { tenantId }, transaction,
    );
    return row.n;
  }

  async insert(v: NewIncident, at: Date, transaction: Transaction): Promise<Incident> {
    const [row] = await this.q<Incident>(
      `INSERT INTO incidents (id, tenant_id, number, title, description, severity, status, source, ci_ids, assignee, dedup_key, created_by, last_seen_at, created_at, updated_at)
       VALUES (:id, :tenantId, :number, :title, :description, :severity, :status, :source, :ciIds::jsonb, :assignee, :dedupKey, :createdBy, :at, :at, :at)
       RETURNING ${COLUMNS}`,
      { ...v, id: randomUUID(), ciIds: JSON.stringify(v.ciIds), at }, transaction,
    );
    return withReference(row);
  }

  async get(tenantId: string, id: string, transaction?: Transaction, forUpdate = false): Promise<Incident | null> {
    const rows = await this.q<Incident>(`SELECT ${COLUMNS} FROM incidents WHERE tenant_id = :tenantId AND id = :id${forUpdate ? ' FOR UPDATE' : ''}`, { tenantId, id }, transaction);
    return rows[0] ? withReference(rows[0]) : null;
  }

  async getByNumber(tenantId: string, number: number, transaction?: Transaction, forUpdate = false): Promise<Incident | null> {
    const rows = await this.q<Incident>(`SELECT ${COLUMNS} FROM incidents WHERE tenant_id = :tenantId AND number = :number${forUpdate ? ' FOR UPDATE' : ''}`, { tenantId, number }, transaction);
    return rows[0] ? withReference(rows[0]) : null;
  }

  /** The unresolved incident holding this dedup key (at most one, by the partial unique index). */
  async findUnresolved(tenantId: string, dedupKey: string, transaction: Transaction): Promise<Incident | null> {
    const rows = await this.q<Incident>(
      `SELECT ${COLUMNS} FROM incidents WHERE tenant_id = :tenantId AND dedup_key = :dedupKey AND status IN (:unresolved) FOR UPDATE`,
      { tenantId, dedupKey, unresolved: UNRESOLVED_STATUSES }, transaction,
    );
    return rows[0] ? withReference(rows[0]) : null;
  }

  /** The latest incident with this key resolved at or after `since` (and not closed): a new signal reopens it. */
  async findResolvedSince(tenantId: string, dedupKey: string, since: Date, transaction: Transaction): Promise<Incident | null> {
    const rows = await this.q<Incident>(
      `SELECT ${COLUMNS} FROM incidents WHERE tenant_id = :tenantId AND dedup_key = :dedupKey AND status = 'resolved' AND resolved_at >= :since
       ORDER BY resolved_at DESC LIMIT 1 FOR UPDATE`,
      { tenantId, dedupKey, since }, transaction,
    );
    return rows[0] ? withReference(rows[0]) : null;
  }

  async update(id: string, changes: IncidentChanges, at: Date, transaction: Transaction): Promise<Incident> {
    const sets = ['updated_at = :at'];
    const replacements: Record<string, unknown> = { id, at };
    for (const [key, value] of Object.entries(changes) as [keyof IncidentChanges, unknown][]) {
      if (value === undefined) continue;
      const column = CHANGE_COLUMNS[key];
      sets.push(key === 'ciIds' ? `${column} = :${key}::jsonb` : `${column} = :${key}`);
      replacements[key] = key === 'ciIds' ? JSON.stringify(value) : value;
    }
    const [row] = await this.q<Incident>(`UPDATE incidents SET ${sets.join(', ')} WHERE id = :id RETURNING ${COLUMNS}`, replacements, transaction);
    return withReference(row);
  }

  async list(tenantId: string, f: { status?: IncidentStatus; severity?: Severity; limit: number; offset: number }): Promise<{ items: Incident[]; total: number }> {
    const where = ['tenant_id = :tenantId', ...(f.status ? ['status = :status'] : []), ...(f.severity ? ['severity = :severity'] : [])].join(' AND ');
    const replacements = { tenantId, status: f.status ?? null, severity: f.severity ?? null, limit: f.limit, offset: f.offset };
    const [items, [{ total }]] = await Promise.all([
      this.q<Incident>(`SELECT ${COLUMNS} FROM incidents WHERE ${where} ORDER BY number DESC LIMIT :limit OFFSET :offset`, replacements),
      this.q<{ total: number }>(`SELECT count(*)::int AS total FROM incidents WHERE ${where}`, replacements),
    ]);
    return { items: items.map(withReference), total };
  }

  async unresolved(tenantId: string, limit: number): Promise<Incident[]> {
    const rows = await this.q<Incident>(`SELECT ${COLUMNS} FROM incidents WHERE tenant_id = :tenantId AND status IN (:unresolved) ORDER BY number DESC LIMIT :limit`, { tenantId, limit, unresolved: UNRESOLVED_STATUSES });
    return rows.map(withReference);
  }

  async links(tenantId: string, incidentIds: string[], transaction?: Transaction): Promise<Map<string, IncidentLink[]>> {
    const out = new Map<string, IncidentLink[]>(incidentIds.map((id) => [id, []]));
    if (!incidentIds.length) return out;
    const rows = await this.q<IncidentLink & { incidentId: string }>(
      `SELECT incident_id AS "incidentId", kind, target_id AS id, added_at AS "addedAt" FROM incident_links
       WHERE tenant_id = :tenantId AND incident_id IN (:incidentIds) ORDER BY added_at, kind, target_id`,
      { tenantId, incidentIds }, transaction,
    );
    for (const { incidentId, ...link } of rows) out.get(incidentId)?.push(link);
    return out;
  }

  /** true when the link is new. */
  async addLink(tenantId: string, incidentId: string, kind: LinkKind, targetId: string, at: Date, transaction: Transaction): Promise<boolean> {
    const rows = await this.q<{ kind: string }>(
      `INSERT INTO incident_links (incident_id, tenant_id, kind, target_id, added_at) VALUES (:incidentId, :tenantId, :kind, :targetId, :at)
       ON CONFLICT DO NOTHING RETURNING kind`,
      { tenantId, incidentId, kind, targetId, at }, transaction,
    );
    return rows.length > 0;
  }

  /** Incidents linked to this object (a run, a project …), newest first. */
  async linkedTo(tenantId: string, kind: LinkKind, targetId: string): Promise<Incident[]> {
    const rows = await this.q<Incident>(
      `SELECT ${COLUMNS} FROM incidents WHERE tenant_id = :tenantId AND id IN
       (SELECT incident_id FROM incident_links WHERE tenant_id = :tenantId AND kind = :kind AND target_id = :targetId) ORDER BY number DESC`,
      { tenantId, kind, targetId },
    );
    return rows.map(withReference);
  }

  async addTimeline(e: NewTimelineEntry, transaction: Transaction): Promise<void> {
    await this.deps.sequelize.query(
      `INSERT INTO incident_timeline (incident_id, tenant_id, at, kind, message, actor_kind, actor_name, via, link_kind, link_id, details)
       VALUES (:incidentId, :tenantId, :at, :kind, :message, :actorKind, :actorName, :via, :linkKind, :linkId, :details::jsonb)`,
      { replacements: { ...e, linkKind: e.link?.kind ?? null, linkId: e.link?.id ?? null, details: JSON.stringify(e.details) }, transaction },
    );
  }

  async timeline(tenantId: string, incidentId: string, transaction?: Transaction): Promise<TimelineEntry[]> {
    const rows = await this.q<Omit<TimelineEntry, 'link'> & { linkKind: LinkKind | null; linkId: string | null }>(
      `SELECT ${TIMELINE} FROM incident_timeline WHERE tenant_id = :tenantId AND incident_id = :incidentId ORDER BY incident_timeline.id`,
      { tenantId, incidentId }, transaction,
    );
    return rows.map(({ linkKind, linkId, ...e }) => ({ ...e, link: linkKind && linkId ? { kind: linkKind, id: linkId } : null }));
  }
}

function withReference(row: Incident): Incident {
  return { ...row, reference: referenceOf(row.number) };
}
