import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../../logger.js';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { NotFoundError, QuotaExceededError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { Notifier } from '../notifications/notification.js';
import type { Incident, IncidentSignal, IncidentView, IncidentWithTimeline, LinkKind, TimelineInput } from './incident.js';
import { assertTransition, moreSevere, numberOfReference, pathTo, type IncidentStatus } from './incident-status.js';
import type { IncidentChanges, IncidentRepository } from './incident.repository.js';
import type { CreateIncidentInput, ListIncidentsQuery, UpdateIncidentInput } from './incident.schemas.js';

interface Deps {
  sequelize: Sequelize;
  repo: IncidentRepository;
  audit: AuditLog;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  /** a signal this soon after its incident was resolved reopens it instead of opening another */
  reopenWindowMs: number;
}

type Tx = { transaction?: Transaction };

/**
 * Incidents of a tenant: the AtlasAI state machine (incident-status.ts), dedup of signals
 * (PagerDuty semantics: a signal whose key matches an unresolved incident folds into it), a
 * timeline of every change and link with who and when, and a per-tenant quota of unresolved
 * incidents. Every method checks the actor; other tenants' incidents are not found.
 */
export class IncidentsService {
  constructor(private readonly deps: Deps) {}

  async list(actor: Actor, query: ListIncidentsQuery): Promise<{ items: IncidentView[]; total: number; limit: number; offset: number }> {
    requirePermission(actor, 'incidents:read');
    const { items, total } = await this.deps.repo.list(actor.tenantId, query);
    const links = await this.deps.repo.links(actor.tenantId, items.map((i) => i.id));
    return { items: items.map((i) => ({ ...i, links: links.get(i.id) ?? [] })), total, limit: query.limit, offset: query.offset };
  }

  /** The newest unresolved incidents (Slack's `/atlantas incident`). */
  async unresolved(actor: Actor, limit: number): Promise<IncidentView[]> {
    requirePermission(actor, 'incidents:read');
    const items = await this.deps.repo.unresolved(actor.tenantId, limit);
    const links = await this.deps.repo.links(actor.tenantId, items.map((i) => i.id));
    return items.map((i) => ({ ...i, links: links.get(i.id) ?? [] }));
  }

  /** By id or reference (INC-00000001), with its links and timeline. */
  async get(actor: Actor, ref: string): Promise<IncidentWithTimeline> {
    requirePermission(actor, 'incidents:read');
    return this.view(actor.tenantId, await this.require(actor.tenantId, ref));
  }

  /** A person or a tool declares an incident; with a dedup_key of an unresolved one, it folds into that. */
  async create(actor: Actor, input: CreateIncidentInput): Promise<{ incident: IncidentWithTimeline; created: boolean }> {
    requirePermission(actor, 'incidents:write');
    const { incident, created } = await this.raise(actor, {
      dedupKey: input.dedup_key ?? null, title: input.title, severity: input.severity, source: input.source, description: input.description,
      ciIds: input.ci_ids, assignee: input.assignee ?? null,
    });
    return { incident: await this.view(actor.tenantId, incident), created };
  }

  /**
   * Core's way to raise an incident (drift, failed applies, other parts): opens one, or updates the
   * unresolved one with the same dedup key (occurrences, last seen, links, a higher severity), or
   * reopens the one resolved within the reopen window.
   */
  async open(actor: Actor, signal: IncidentSignal, options: Tx = {}): Promise<{ incident: Incident; created: boolean; reopened: boolean }> {
    requirePermission(actor, 'incidents:write');
    return this.raise(actor, { ...signal, ciIds: signal.ciIds ?? [], description: signal.description ?? '', assignee: null }, options);
  }

  /** PATCH: one edge of the state machine (if `status` is given) and any of the other fields. */
  async update(actor: Actor, ref: string, input: UpdateIncidentInput): Promise<IncidentWithTimeline> {
    requirePermission(actor, 'incidents:write');
    const updated = await inTransaction(this.deps.sequelize, undefined, async (t) => {
      let incident = await this.require(actor.tenantId, ref, t, true);
      if (input.status !== undefined) {
        assertTransition(incident.reference, incident.status, input.status);
        incident = await this.move(actor, incident, input.status, { notes: input.resolution_notes, resolvedBy: input.resolved_by }, t);
      }
      const changes = fieldChanges(incident, input);
      if (Object.keys(changes).length) {
        incident = await this.deps.repo.update(incident.id, changes, this.now(), t);
        await this.entry(actor, incident, { kind: 'updated', message: `changed ${Object.keys(changes).map(snake).join(', ')}`, details: changed(changes) }, t);
      }
      await this.deps.audit.record(actor, 'incident.update', { type: 'incident', id: incident.id }, { ...input }, { transaction: t });
      return incident;
    });
    return this.view(actor.tenantId, updated);
  }

  /** The Acknowledge button: the machine's own edges to `acknowledged` (triggered → open → acknowledged), each on the timeline. */
  acknowledge(actor: Actor, ref: string): Promise<IncidentWithTimeline> {
    return this.walk(actor, ref, 'acknowledged', {});
  }

  /** The Resolve button: the machine's own edges to `resolved`, each on the timeline. */
  resolve(actor: Actor, ref: string, notes?: string): Promise<IncidentWithTimeline> {
    return this.walk(actor, ref, 'resolved', { notes });
  }

  /**
   * The condition behind the key went away (drift gone, a later apply succeeded): the unresolved
   * incident with this key walks to `resolved` with the reason on its timeline. null when none is unresolved.
   */
  async resolveByDedupKey(actor: Actor, dedupKey: string, reason: TimelineInput, options: Tx = {}): Promise<Incident | null> {
    requirePermission(actor, 'incidents:write');
    return inTransaction(this.deps.sequelize, options.transaction, async (t) => {
      await this.deps.repo.lockTenant(actor.tenantId, t);
      let incident = await this.deps.repo.findUnresolved(actor.tenantId, dedupKey, t);
      if (!incident) return null;
      await this.entry(actor, incident, reason, t);
      for (const step of pathTo(incident.status, 'resolved') ?? []) incident = await this.move(actor, incident, step, { notes: incident.resolutionNotes ?? reason.message }, t);
      await this.deps.audit.record(actor, 'incident.resolve', { type: 'incident', id: incident.id }, { dedup_key: dedupKey, reason: reason.message }, { transaction: t });
      return incident;
    });
  }

  /** Another part of core (runbooks, RCA) writes on the timeline; a `link` also links its object. */
  async addTimeline(actor: Actor, ref: string, entry: TimelineInput, options: Tx = {}): Promise<void> {
    requirePermission(actor, 'incidents:write');
    await inTransaction(this.deps.sequelize, options.transaction, async (t) => {
      const incident = await this.require(actor.tenantId, ref, t);
      await this.entry(actor, incident, entry, t);
      await this.deps.audit.record(actor, 'incident.timeline', { type: 'incident', id: incident.id }, { kind: entry.kind }, { transaction: t });
    });
  }

  /** A channel told people about the incident (e.g. a Slack card): linked as a notification, so it can be updated later. */
  async recordNotification(actor: Actor, incidentId: string, where: { channel: string; destination: string; messageRef: string }): Promise<void> {
    requirePermission(actor, 'incidents:read');
    await inTransaction(this.deps.sequelize, undefined, async (t) => {
      const incident = await this.require(actor.tenantId, incidentId, t);
      const id = `${where.channel}:${where.destination}:${where.messageRef}`;
      await this.entry(actor, incident, { kind: 'notification', message: `told on ${where.channel} (${where.destination})`, link: { kind: 'notification', id } }, t);
    });
  }

  /** Where the incident was told, as `channel:destination:messageRef`, oldest first. */
  async notificationsOf(actor: Actor, incidentId: string): Promise<{ channel: string; destination: string; messageRef: string }[]> {
    requirePermission(actor, 'incidents:read');
    const links = (await this.deps.repo.links(actor.tenantId, [incidentId])).get(incidentId) ?? [];
    return links.filter((l) => l.kind === 'notification').map((l) => {
      const [channel, destination, ...rest] = l.id.split(':');
      return { channel, destination, messageRef: rest.join(':') };
    });
  }

  private async walk(actor: Actor, ref: string, to: IncidentStatus, o: { notes?: string }): Promise<IncidentWithTimeline> {
    requirePermission(actor, 'incidents:write');
    const done = await inTransaction(this.deps.sequelize, undefined, async (t) => {
      let incident = await this.require(actor.tenantId, ref, t, true);
      const path = pathTo(incident.status, to);
      // Already there, or no way there: the refusal names where it may go from here.
      if (!path?.length) assertTransition(incident.reference, incident.status, to);
      for (const step of path!) incident = await this.move(actor, incident, step, { notes: o.notes }, t);
      await this.deps.audit.record(actor, 'incident.update', { type: 'incident', id: incident.id }, { status: to, steps: path }, { transaction: t });
      return incident;
    });
    return this.view(actor.tenantId, done);
  }

  /** One edge: the status, its timestamps, a timeline entry, and what it tells people. */
  private async move(actor: Actor, incident: Incident, to: IncidentStatus, o: { notes?: string | null; resolvedBy?: string | null }, t: Transaction): Promise<Incident> {
    const now = this.now();
    const changes: IncidentChanges = { status: to };
    if (to === 'acknowledged') changes.acknowledgedAt = now;
    if (to === 'resolved') Object.assign(changes, { resolvedAt: now, resolvedBy: o.resolvedBy ?? actor.name, ...(o.notes != null ? { resolutionNotes: o.notes } : {}) });
    if (to === 'closed') changes.closedAt = now;
    if (to === 'reopened') Object.assign(changes, { episode: incident.episode + 1, resolvedAt: null, resolvedBy: null });
    const moved = await this.deps.repo.update(incident.id, changes, now, t);
    await this.entry(actor, moved, { kind: 'status', message: `${incident.status} → ${to}`, details: { from: incident.status, to } }, t);
    if (to === 'resolved') await this.tell(moved, 'incident.resolved', `incident.resolved:${moved.id}:${moved.episode}`, t);
    if (to === 'reopened') await this.tell(moved, 'incident.opened', `incident.opened:${moved.id}:${moved.episode}`, t);
    if (to !== 'resolved' && to !== 'reopened') await this.tell(moved, 'incident.updated', `incident.updated:${moved.id}:${moved.episode}:${to}`, t);
    return moved;
  }

  private async raise(actor: Actor, s: Omit<IncidentSignal, 'dedupKey'> & { dedupKey: string | null; ciIds: string[]; description: string; assignee: string | null }, options: Tx = {}) {
    return inTransaction(this.deps.sequelize, options.transaction, async (t) => {
      const { repo } = this.deps;
      await repo.lockTenant(actor.tenantId, t);
      const now = this.now();
      if (s.dedupKey) {
        const open = await repo.findUnresolved(actor.tenantId, s.dedupKey, t);
        if (open) return { incident: await this.fold(actor, open, s, t), created: false, reopened: false };
        const resolved = await repo.findResolvedSince(actor.tenantId, s.dedupKey, new Date(now.getTime() - this.deps.reopenWindowMs), t);
        if (resolved) {
          const reopened = await this.move(actor, resolved, 'reopened', {}, t);
          return { incident: await this.fold(actor, reopened, s, t), created: false, reopened: true };
        }
      }
      const { limit, used } = await repo.quota(actor.tenantId, t);
      if (used >= limit) {
        throw new QuotaExceededError(
          `quota exceeded: this tenant may have at most ${limit} unresolved incidents and has ${used}; resolve one or ask a platform admin to raise max_incidents`,
          { code: 'quota_exceeded', details: { kind: 'incidents', limit, used } },
        );
      }
      const incident = await repo.insert({
        tenantId: actor.tenantId, number: await repo.nextNumber(actor.tenantId, t), title: s.title, description: s.description, severity: s.severity,
        status: 'triggered', source: s.source, ciIds: s.ciIds, assignee: s.assignee, dedupKey: s.dedupKey, createdBy: actor.name,
      }, now, t);
      await this.entry(actor, incident, { kind: 'created', message: s.message ?? `${incident.severity} incident raised by ${actor.name} (${s.source})`, details: { severity: s.severity, source: s.source } }, t);
      await this.linkAll(actor, incident, s, t);
      await this.deps.audit.record(actor, 'incident.create', { type: 'incident', id: incident.id }, { reference: incident.reference, severity: s.severity, source: s.source, dedup_key: s.dedupKey }, { transaction: t });
      await this.tell(incident, 'incident.opened', `incident.opened:${incident.id}:1`, t);
      return { incident, created: true, reopened: false };
    });
  }

  /** A repeated signal: counted, seen now, its links added, its severity taken when higher. */
  private async fold(actor: Actor, incident: Incident, s: Omit<IncidentSignal, 'dedupKey'> & { ciIds: string[] }, t: Transaction): Promise<Incident> {
    const severity = moreSevere(incident.severity, s.severity);
    const ciIds = [...new Set([...incident.ciIds, ...s.ciIds])];
    const updated = await this.deps.repo.update(incident.id, { occurrences: incident.occurrences + 1, lastSeenAt: this.now(), severity, ciIds }, this.now(), t);
    const raisedTo = severity !== incident.severity ? `; severity ${incident.severity} → ${severity}` : '';
    await this.entry(actor, updated, { kind: 'signal', message: `${s.message ?? `seen again (${s.source})`}${raisedTo}`, details: { occurrences: updated.occurrences } }, t);
    await this.linkAll(actor, updated, s, t);
    await this.deps.audit.record(actor, 'incident.signal', { type: 'incident', id: incident.id }, { occurrences: updated.occurrences }, { transaction: t });
    return updated;
  }

  private async linkAll(actor: Actor, incident: Incident, s: { links?: { kind: LinkKind; id: string }[]; ciIds: string[] }, t: Transaction): Promise<void> {
    for (const link of [...(s.links ?? []), ...s.ciIds.map((id) => ({ kind: 'ci' as const, id }))]) {
      if (await this.deps.repo.addLink(actor.tenantId, incident.id, link.kind, link.id, this.now(), t)) {
        await this.deps.repo.addTimeline({ ...this.who(actor, incident), kind: 'linked', message: `linked ${link.kind} ${link.id}`, link, details: {} }, t);
      }
    }
  }

  /** A timeline entry; its link (if any) links the object too. */
  private async entry(actor: Actor, incident: Incident, e: TimelineInput, t: Transaction): Promise<void> {
    if (e.link) await this.deps.repo.addLink(actor.tenantId, incident.id, e.link.kind, e.link.id, this.now(), t);
    await this.deps.repo.addTimeline({ ...this.who(actor, incident), kind: e.kind, message: e.message, link: e.link ?? null, details: e.details ?? {} }, t);
  }

  private who(actor: Actor, incident: Incident) {
    return { incidentId: incident.id, tenantId: incident.tenantId, at: this.now(), actorKind: actor.kind, actorName: actor.name, via: actor.via };
  }

  private async tell(incident: Incident, kind: 'incident.opened' | 'incident.resolved' | 'incident.updated', dedupeKey: string, t: Transaction): Promise<void> {
    const links = (await this.deps.repo.links(incident.tenantId, [incident.id], t)).get(incident.id) ?? [];
    const projectId = links.find((l) => l.kind === 'project')?.id ?? null;
    await this.deps.notifier.publish({ kind, tenantId: incident.tenantId, projectId, incidentId: incident.id }, { transaction: t, dedupeKey });
  }

  private async require(tenantId: string, ref: string, t?: Transaction, forUpdate = false): Promise<Incident> {
    const number = numberOfReference(ref);
    const found = number !== null ? await this.deps.repo.getByNumber(tenantId, number, t, forUpdate) : isUuid(ref) ? await this.deps.repo.get(tenantId, ref, t, forUpdate) : null;
    if (!found) throw new NotFoundError(`incident ${ref} not found`, { code: 'incident_not_found' });
    return found;
  }

  private async view(tenantId: string, incident: Incident): Promise<IncidentWithTimeline> {
    const [links, timeline] = await Promise.all([this.deps.repo.links(tenantId, [incident.id]), this.deps.repo.timeline(tenantId, incident.id)]);
    return { ...incident, links: links.get(incident.id) ?? [], timeline };
  }

  private now(): Date {
    return this.deps.clock.now();
  }
}

function fieldChanges(incident: Incident, input: UpdateIncidentInput): IncidentChanges {
  const wanted: IncidentChanges = {
    severity: input.severity, title: input.title, description: input.description, assignee: input.assignee, ciIds: input.ci_ids,
    // with a status, these went in with the move
    ...(input.status === 'resolved' ? {} : { resolutionNotes: input.resolution_notes, resolvedBy: input.resolved_by }),
  };
  const out: IncidentChanges = {};
  for (const [k, v] of Object.entries(wanted) as [keyof IncidentChanges, unknown][]) {
    if (v !== undefined && JSON.stringify(v) !== JSON.stringify(incident[k])) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

function changed(changes: IncidentChanges): Record<string, unknown> {
  return Object.fromEntries(Object.entries(changes).map(([k, v]) => [snake(k), k === 'description' || k === 'resolutionNotes' ? '(text)' : v]));
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
