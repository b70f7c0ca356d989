import type { Logger } from '../../logger.js';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { isUuid } from '../ids.js';
import { NotFoundError } from '../errors.js';
import type { ProjectDependencyRepository } from '../projects/project-dependency.repository.js';
import { parseStateDocument } from '../state/state-document.js';
import type { StateWritten } from '../state/state.service.js';
import type { CmdbItem, CmdbItemRepository } from './cmdb-item.repository.js';
import type { CmdbImpactQuery, CreateCmdbItemInput, ListCmdbItemsQuery } from './cmdb.schemas.js';
import { cisFromState } from './state-cis.js';

/** One CI in a blast radius, and why it is there. */
export interface ImpactedItem {
  item: CmdbItem;
  /** `depends_on`: terraform recorded a dependency on an impacted resource; `project_dependency`: its project depends on the CI's project */
  relation: 'depends_on' | 'project_dependency';
  /** hops from the CI (a project dependency counts as one hop per project edge) */
  depth: number;
  /** the impacted item (or project) it is reached through */
  through: string;
}

export interface Impact {
  item: CmdbItem;
  impacted: ImpactedItem[];
  /** the projects reached through project dependencies */
  projectIds: string[];
}

interface Deps {
  repo: CmdbItemRepository;
  dependencies: ProjectDependencyRepository;
  audit: AuditLog;
  log: Logger;
}

/** `module.a["x"].aws_subnet.this[0]` → `module.a.aws_subnet.this`: the form terraform's `dependencies` use. */
export function configAddress(address: string): string {
  return address.replace(/\[(?:\d+|"(?:[^"\\]|\\.)*")\]/g, '');
}

/**
 * The CMDB: configuration items kept from Terraform state on every write (each managed resource
 * instance, sensitive values removed), items registered by hand, and the blast radius of a CI
 * from the dependencies terraform recorded and the projects' own dependencies.
 *
 * Syncs run after the state write commits (terraform is not kept waiting on them), one at a time
 * per state; reads on this replica first wait for the syncs of the caller's tenant still running,
 * so an apply's items are there when the next request asks.
 */
export class CmdbService {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, Set<Promise<void>>>();

  constructor(private readonly deps: Deps) {}

  /** The state backend's write listener: replaces the state's items by the new version's. */
  sync(written: StateWritten): void {
    const previous = this.chains.get(written.stateId) ?? Promise.resolve();
    const run = previous.then(() => this.syncNow(written)).catch((err) => {
      this.deps.log.error({ err, stateId: written.stateId, version: written.version }, 'CMDB sync of a state version failed');
    });
    this.chains.set(written.stateId, run);
    const tenant = this.pending.get(written.tenantId) ?? new Set();
    this.pending.set(written.tenantId, tenant);
    tenant.add(run);
    void run.finally(() => {
      tenant.delete(run);
      if (!tenant.size) this.pending.delete(written.tenantId);
      if (this.chains.get(written.stateId) === run) this.chains.delete(written.stateId);
    });
  }

  /** Resolves when every sync started so far has ended (shutdown, and reads). */
  async settled(tenantId?: string): Promise<void> {
    const runs = tenantId ? [...(this.pending.get(tenantId) ?? [])] : [...this.pending.values()].flatMap((s) => [...s]);
    await Promise.all(runs);
  }

  async list(actor: Actor, query: ListCmdbItemsQuery): Promise<{ items: CmdbItem[]; total: number; limit: number; offset: number }> {
    requirePermission(actor, 'cmdb:read');
    await this.settled(actor.tenantId);
    const { items, total } = await this.deps.repo.list(actor.tenantId, {
      class: query.class, projectId: query.project_id, source: query.source, limit: query.limit, offset: query.offset,
    });
    return { items, total, limit: query.limit, offset: query.offset };
  }

  async get(actor: Actor, id: string): Promise<CmdbItem> {
    requirePermission(actor, 'cmdb:read');
    await this.settled(actor.tenantId);
    return this.require(actor, id);
  }

  async create(actor: Actor, input: CreateCmdbItemInput): Promise<CmdbItem> {
    requirePermission(actor, 'cmdb:write');
    const item = await this.deps.repo.create({
      tenantId: actor.tenantId, name: input.name, class: input.class, environment: input.environment ?? null, attributes: input.attributes, createdBy: actor.name,
    });
    await this.deps.audit.record(actor, 'cmdb.item_create', { type: 'cmdb_item', id: item.id }, { name: item.name, class: item.class });
    return item;
  }

  /**
   * The blast radius of a CI: the resources of its state that depend on it (transitively, as
   * terraform recorded them), then every item of the projects that depend on its project.
   */
  async impact(actor: Actor, query: CmdbImpactQuery): Promise<Impact> {
    requirePermission(actor, 'cmdb:read');
    await this.settled(actor.tenantId);
    const item = await this.require(actor, query.ci_id);
    const impacted: ImpactedItem[] = [];
    const seen = new Set([item.id]);
    if (item.stateId) {
      const siblings = await this.deps.repo.ofStates(actor.tenantId, [item.stateId]);
      let frontier = [item];
      for (let depth = 1; frontier.length && depth <= query.depth; depth++) {
        const next: CmdbItem[] = [];
        for (const node of frontier) {
          const target = configAddress(node.address ?? '');
          for (const other of siblings) {
            if (seen.has(other.id) || !other.dependsOn.includes(target)) continue;
            seen.add(other.id);
            impacted.push({ item: other, relation: 'depends_on', depth, through: node.address ?? node.name });
            next.push(other);
          }
        }
        frontier = next;
      }
    }
    const projectIds = item.projectId ? await this.dependentProjects(actor.tenantId, item.projectId) : [];
    if (projectIds.length) {
      const byProject = await this.deps.repo.ofProjects(actor.tenantId, projectIds.map((p) => p.id));
      for (const other of byProject) {
        if (seen.has(other.id)) continue;
        seen.add(other.id);
        const reached = projectIds.find((p) => p.id === other.projectId)!;
        impacted.push({ item: other, relation: 'project_dependency', depth: reached.depth, through: reached.through });
      }
    }
    return { item, impacted, projectIds: projectIds.map((p) => p.id) };
  }

  private async syncNow(written: StateWritten): Promise<void> {
    const cis = cisFromState(parseStateDocument(written.body));
    const stateName = written.workspace === 'default' ? written.name : `${written.name}/${written.workspace}`;
    await this.deps.repo.syncState({ tenantId: written.tenantId, stateId: written.stateId, projectId: written.projectId, stateName, version: written.version, cis });
  }

  /** Projects that depend on `projectId`, transitively, with the hops and the project they are reached through. */
  private async dependentProjects(tenantId: string, projectId: string): Promise<{ id: string; depth: number; through: string }[]> {
    const edges = await this.deps.dependencies.listAll(tenantId);
    const found = new Map<string, { id: string; depth: number; through: string }>();
    let frontier = [projectId];
    for (let depth = 1; frontier.length; depth++) {
      const next: string[] = [];
      for (const upstream of frontier) {
        for (const edge of edges) {
          if (edge.dependsOnProjectId !== upstream || edge.projectId === projectId || found.has(edge.projectId)) continue;
          found.set(edge.projectId, { id: edge.projectId, depth, through: upstream });
          next.push(edge.projectId);
        }
      }
      frontier = next;
    }
    return [...found.values()];
  }

  private async require(actor: Actor, id: string): Promise<CmdbItem> {
    const item = isUuid(id) ? await this.deps.repo.byId(actor.tenantId, id) : null;
    if (!item) throw new NotFoundError(`configuration item ${id} not found`, { code: 'cmdb_item_not_found' });
    return item;
  }
}
