import type { Sequelize } from 'sequelize';
import { isHuman, requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { InputError, NotAllowedError, NotFoundError } from '../errors.js';
import type { ProjectRepository } from '../projects/project.repository.js';
import type { ChangeRequest, ItsmRepository, ServiceRequest } from './itsm.repository.js';
import type {
  CreateChangeInput, CreateServiceRequestInput, DecisionInput, ListChangesQuery, ListServiceRequestsQuery, UpdateChangeInput, UpdateServiceRequestInput,
} from './itsm.schemas.js';
import { catalogItem, SERVICE_CATALOG, type CatalogItem } from './service-catalog.js';

interface Deps {
  sequelize: Sequelize;
  repo: ItsmRepository;
  projects: ProjectRepository;
  audit: AuditLog;
  clock: Clock;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** What a status may become, and through which call. */
const CHANGE_NEXT: Record<string, readonly string[]> = {
  pending_approval: ['approved', 'rejected', 'cancelled'],
  approved: ['completed', 'failed', 'cancelled'],
};
const REQUEST_NEXT: Record<string, readonly string[]> = {
  pending_approval: ['approved', 'rejected', 'cancelled'],
  approved: ['fulfilled', 'cancelled'],
};

/**
 * ITSM: change requests with a window and an approval, which gate the applies of projects marked
 * `requires_change` (see `applyRefusal`), and service requests from a small catalog. Approving is
 * a person's act with `itsm:approve` (admins), never the requester's own and never automation's;
 * a `standard` change is pre-approved, as ITIL defines it.
 */
export class ItsmService {
  constructor(private readonly deps: Deps) {}

  async listChanges(actor: Actor, query: ListChangesQuery): Promise<Page<ChangeRequest>> {
    requirePermission(actor, 'itsm:read');
    return { ...(await this.deps.repo.list('change', actor.tenantId, query)), limit: query.limit, offset: query.offset };
  }

  async getChange(actor: Actor, ref: string): Promise<ChangeRequest> {
    requirePermission(actor, 'itsm:read');
    return this.requireRow('change', actor, ref);
  }

  async createChange(actor: Actor, input: CreateChangeInput): Promise<ChangeRequest> {
    requirePermission(actor, 'itsm:write');
    return inTransaction(this.deps.sequelize, undefined, async (t) => {
      const unknown: string[] = [];
      for (const id of input.project_ids) if (!(await this.deps.projects.exists(actor.tenantId, id, t))) unknown.push(id);
      if (unknown.length) throw new InputError(`project_ids: no project ${unknown.join(', ')} in this tenant`, { code: 'validation_error' });
      const standard = input.type === 'standard';
      const change = await this.deps.repo.insertChange({
        tenantId: actor.tenantId, reference: await this.deps.repo.nextReference(actor.tenantId, 'change', t), title: input.title,
        description: input.description ?? null, type: input.type, riskLevel: input.risk_level,
        status: standard ? 'approved' : 'pending_approval', requestedStart: input.requested_start, requestedEnd: input.requested_end,
        implementationPlan: input.implementation_plan ?? null, rollbackPlan: input.rollback_plan ?? null, projectIds: [...new Set(input.project_ids)],
        requestedBy: actor.name, requestedByUserId: actor.userId ?? null,
        decidedBy: standard ? 'standard change (pre-approved)' : null, decidedAt: standard ? this.deps.clock.now() : null, decisionNote: null,
      }, t);
      await this.deps.audit.record(actor, 'itsm.change_create', { type: 'change_request', id: change.id }, { reference: change.reference, type: change.type, status: change.status }, { transaction: t });
      return change;
    });
  }

  async approveChange(actor: Actor, ref: string, input: DecisionInput): Promise<ChangeRequest> {
    return this.decide('change', actor, ref, 'approved', input.note);
  }

  async rejectChange(actor: Actor, ref: string, input: DecisionInput): Promise<ChangeRequest> {
    return this.decide('change', actor, ref, 'rejected', input.note);
  }

  /** The requester or an approver records how an approved change ended (or cancels one). */
  async updateChange(actor: Actor, ref: string, input: UpdateChangeInput): Promise<ChangeRequest> {
    requirePermission(actor, 'itsm:write');
    return this.move('change', actor, ref, input.status, input.note);
  }

  catalog(actor: Actor): readonly CatalogItem[] {
    requirePermission(actor, 'itsm:read');
    return SERVICE_CATALOG;
  }

  async listRequests(actor: Actor, query: ListServiceRequestsQuery): Promise<Page<ServiceRequest>> {
    requirePermission(actor, 'itsm:read');
    return { ...(await this.deps.repo.list('request', actor.tenantId, query)), limit: query.limit, offset: query.offset };
  }

  async getRequest(actor: Actor, ref: string): Promise<ServiceRequest> {
    requirePermission(actor, 'itsm:read');
    return this.requireRow('request', actor, ref);
  }

  async createRequest(actor: Actor, input: CreateServiceRequestInput): Promise<ServiceRequest> {
    requirePermission(actor, 'itsm:write');
    const item = catalogItem(input.catalog_item_id);
    if (!item) {
      throw new InputError(`catalog_item_id: no catalog item "${input.catalog_item_id}"; one of ${SERVICE_CATALOG.map((i) => i.id).join(', ')}`, { code: 'validation_error' });
    }
    return inTransaction(this.deps.sequelize, undefined, async (t) => {
      const request = await this.deps.repo.insertRequest({
        tenantId: actor.tenantId, reference: await this.deps.repo.nextReference(actor.tenantId, 'request', t), catalogItemId: item.id,
        status: 'pending_approval', details: input.details, requestedBy: actor.name, requestedByUserId: actor.userId ?? null,
      }, t);
      await this.deps.audit.record(actor, 'itsm.request_create', { type: 'service_request', id: request.id }, { reference: request.reference, catalog_item_id: item.id }, { transaction: t });
      return request;
    });
  }

  async approveRequest(actor: Actor, ref: string, input: DecisionInput): Promise<ServiceRequest> {
    return this.decide('request', actor, ref, 'approved', input.note);
  }

  async rejectRequest(actor: Actor, ref: string, input: DecisionInput): Promise<ServiceRequest> {
    return this.decide('request', actor, ref, 'rejected', input.note);
  }

  async updateRequest(actor: Actor, ref: string, input: UpdateServiceRequestInput): Promise<ServiceRequest> {
    requirePermission(actor, input.status === 'fulfilled' ? 'itsm:approve' : 'itsm:write');
    return this.move('request', actor, ref, input.status, input.note);
  }

  /**
   * Why an apply of this project may not run now, or null when it may: a project marked
   * `requires_change` applies only inside the window of an approved change request that covers it.
   */
  async applyRefusal(tenantId: string, projectId: string | null, at = this.deps.clock.now()): Promise<string | null> {
    if (!projectId) return null;
    const project = await this.deps.projects.findById(tenantId, projectId);
    if (!project?.requiresChange) return null;
    const { open, next } = await this.deps.repo.windowFor(tenantId, projectId, at);
    if (open) return null;
    const upcoming = next
      ? `the next approved window for it is ${next.reference} from ${next.requestedStart.toISOString()} to ${next.requestedEnd.toISOString()}`
      : 'request one with POST /api/itsm/changes and have an admin approve it';
    return `project ${project.name} requires an approved change request whose window covers now (${at.toISOString()}): ${upcoming}; the plan stays planned until then`;
  }

  private async decide<K extends 'change' | 'request'>(kind: K, actor: Actor, ref: string, status: 'approved' | 'rejected', note?: string): Promise<Row<K>> {
    requirePermission(actor, 'itsm:approve');
    if (!isHuman(actor)) throw new NotAllowedError(`${actor.name} is automation: approving or rejecting a ${label(kind)} is a person's decision`, { code: 'forbidden' });
    const row = await this.requireRow(kind, actor, ref);
    if (row.requestedByUserId && row.requestedByUserId === actor.userId) {
      throw new NotAllowedError(`${row.reference} was requested by you: another person with the approver role must decide it`, { code: 'forbidden' });
    }
    return this.move(kind, actor, ref, status, note, actor.name);
  }

  private async move<K extends 'change' | 'request'>(kind: K, actor: Actor, ref: string, status: string, note?: string, decidedBy?: string): Promise<Row<K>> {
    const rules = kind === 'change' ? CHANGE_NEXT : REQUEST_NEXT;
    return inTransaction(this.deps.sequelize, undefined, async (t) => {
      const row = await this.deps.repo.find(kind, actor.tenantId, ref, t);
      if (!row) throw notFound(kind, ref);
      const allowed = rules[row.status] ?? [];
      if (!allowed.includes(status)) {
        throw new InputError(
          `${row.reference} is ${row.status}: it cannot become ${status}; ${allowed.length ? `allowed next: ${allowed.join(', ')}` : 'it is final'}`,
          { code: 'invalid_transition' },
        );
      }
      const from = Object.keys(rules).filter((s) => rules[s].includes(status));
      const moved = (await this.deps.repo.transition(kind, actor.tenantId, row.id, from, status, { decidedBy, note: note ?? null }, t))!;
      await this.deps.audit.record(actor, `itsm.${kind}_${status}`, { type: kind === 'change' ? 'change_request' : 'service_request', id: row.id }, { reference: row.reference, from: row.status, note: note ?? null }, { transaction: t });
      return moved as Row<K>;
    });
  }

  private async requireRow<K extends 'change' | 'request'>(kind: K, actor: Actor, ref: string): Promise<Row<K>> {
    const row = await this.deps.repo.find(kind, actor.tenantId, ref);
    if (!row) throw notFound(kind, ref);
    return row as Row<K>;
  }
}

type Row<K> = K extends 'change' ? ChangeRequest : ServiceRequest;

const label = (kind: 'change' | 'request') => (kind === 'change' ? 'change request' : 'service request');

function notFound(kind: 'change' | 'request', ref: string): NotFoundError {
  return new NotFoundError(`${label(kind)} ${ref} not found`, { code: `${kind === 'change' ? 'change' : 'service_request'}_not_found` });
}
