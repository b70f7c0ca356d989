import { randomBytes, randomUUID } from 'node:crypto';
import { requirePermission, type Actor } from '../actor.js';
import { hashToken } from '../auth/api-token.js';
import type { Clock } from '../clock.js';
import { DomainError, InputError, NotFoundError } from '../errors.js';
import { identify, md5Hex, parseStateDocument, stateOutputs, type StateOutput } from '../state/state-document.js';
import { decidePush } from '../state/state-rules.js';
import type { StateService } from '../state/state.service.js';
import type { StateVersion } from '../state/state-version.model.js';
import type { TfeStateUpload, TfeStateUploadRepository } from './tfe-state-upload.repository.js';
import type { TfeWorkspaceRow } from './tfe-workspace.repository.js';
import type { TfeWorkspacesService } from './tfe-workspaces.service.js';
import { outputId, parseOutputId, tfeOutputType } from './tfe-outputs.js';

/** How long an announced state version waits for its bytes. */
const UPLOAD_TTL_MS = 10 * 60_000;

/** A TFE state version: a stored version of the workspace's state, or one announced and not yet uploaded. */
export interface TfeStateVersionView {
  /** `sv-<uuid>`: the core version's id, or the announcement's */
  id: string;
  workspaceId: string;
  status: 'pending' | 'finalized' | 'errored';
  serial: number;
  lineage: string | null;
  md5: string;
  size: number | null;
  createdAt: Date;
  /** the core state version (what download returns), once stored */
  versionId: string | null;
  /** the stored version's number in Atlantas (v1, v2 …) */
  version: number | null;
  /** the one-use token of the upload URLs, returned only to the announcing caller while pending */
  uploadToken?: string;
}

export interface TfeOutput extends StateOutput {
  id: string;
  /** TFE's coarse type: string, number, bool, array, object */
  simpleType: string;
}

export interface CreateStateVersionInput {
  serial: number;
  md5: string;
  lineage?: string;
  force?: boolean;
  /** base64 raw state: the older create-with-content form (no upload URLs) */
  state?: string;
}

interface Deps {
  workspaces: TfeWorkspacesService;
  state: StateService;
  uploads: TfeStateUploadRepository;
  clock: Clock;
}

/**
 * TFE state versions over the one state store: a version written here is a version of the
 * workspace's Atlantas state (same serial/lineage rules, same encryption, same lock), listed by
 * GET /api/v1/states/{id}/versions as well. A write goes under the caller's own TFE workspace
 * lock. go-tfe announces a version (POST) and then PUTs its bytes to upload URLs that carry no
 * credential: those URLs hold a one-use token that expires after ten minutes.
 */
export class TfeStateService {
  constructor(private readonly deps: Deps) {}

  async list(actor: Actor, workspaceId: string): Promise<TfeStateVersionView[]> {
    requirePermission(actor, 'state:read');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    const current = await this.deps.state.current(actor, ws.stateName, ws.stateWorkspace);
    if (!current) return [];
    return (await this.deps.state.versions(actor, current.id)).map((v) => stored(ws, v));
  }

  async current(actor: Actor, workspaceId: string): Promise<TfeStateVersionView> {
    requirePermission(actor, 'state:read');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    if (!ws.currentVersionId) throw new NotFoundError(`workspace "${ws.name}" has no state yet`, { code: 'state_not_found' });
    return stored(ws, (await this.deps.state.version(actor, ws.currentVersionId)).version);
  }

  async get(actor: Actor, id: string): Promise<TfeStateVersionView> {
    requirePermission(actor, 'state:read');
    const uuid = parseId(id);
    const upload = await this.deps.uploads.find(actor.tenantId, uuid);
    if (upload) {
      const ws = await this.deps.workspaces.require(actor, upload.workspaceId);
      if (upload.status === 'finalized' && upload.stateVersionId) {
        return { ...stored(ws, (await this.deps.state.version(actor, upload.stateVersionId)).version), id };
      }
      return announced(upload);
    }
    const { state, version } = await this.deps.state.version(actor, uuid);
    const ws = await this.deps.workspaces.forState(actor, state.name, state.workspace);
    return stored(ws, version);
  }

  /** The bytes of one stored version (the `hosted-state-download-url`). */
  async download(actor: Actor, id: string): Promise<Buffer> {
    const view = await this.get(actor, id);
    if (!view.versionId) throw new NotFoundError(`state version ${id} has no content yet`, { code: 'state_version_pending' });
    const { state } = await this.deps.state.version(actor, view.versionId);
    return (await this.deps.state.downloadVersion(actor, state.id, view.versionId)).body;
  }

  /**
   * Announces a version (then its bytes go to the upload URLs), or stores it at once when the
   * body carries the base64 `state`. The serial and lineage are checked against the current
   * version here already, so a stale write fails at the POST the CLI reports, not at a PUT.
   */
  async create(actor: Actor, workspaceId: string, input: CreateStateVersionInput): Promise<TfeStateVersionView> {
    requirePermission(actor, 'state:write');
    if (input.force) requirePermission(actor, 'state:admin');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    const lockId = await this.deps.workspaces.writeLockOf(actor, ws);
    if (input.state !== undefined) {
      const body = Buffer.from(input.state, 'base64');
      assertDeclared(body, input);
      const result = await this.deps.state.push(actor, ws.stateName, ws.stateWorkspace, body, { lockId, md5: input.md5, force: input.force });
      return stored(ws, result.version);
    }
    const current = await this.deps.state.current(actor, ws.stateName, ws.stateWorkspace);
    if (input.lineage && current?.serial != null && current.lineage && current.md5) {
      decidePush({ serial: current.serial, lineage: current.lineage, md5: current.md5 }, { serial: input.serial, lineage: input.lineage, md5: input.md5 }, !!input.force);
    }
    if (!input.lineage) throw new InputError('data.attributes.lineage: is required (or send the base64 state)', { code: 'validation_error' });
    const token = randomBytes(32).toString('base64url');
    const upload = await this.deps.uploads.insert({
      id: randomUUID(), tenantId: actor.tenantId, workspaceId: ws.id, tokenHash: hashToken(token), serial: input.serial, lineage: input.lineage,
      md5: input.md5, lockId, actor, expiresAt: new Date(this.deps.clock.now().getTime() + UPLOAD_TTL_MS),
    });
    return { ...announced(upload), uploadToken: token };
  }

  /** `PUT <hosted-state-upload-url>`: the announced version's raw state, once, by its token. */
  async uploadContent(id: string, token: string, body: Buffer): Promise<void> {
    const upload = await this.deps.uploads.claimContent(parseId(id), hashToken(token), this.deps.clock.now());
    if (!upload) throw uploadGone();
    try {
      assertDeclared(body, upload);
      const ws = await this.deps.workspaces.require(upload.actor, upload.workspaceId);
      const result = await this.deps.state.push(upload.actor, ws.stateName, ws.stateWorkspace, body, { lockId: upload.lockId ?? undefined, md5: upload.md5 });
      await this.deps.uploads.finish(upload.id, 'finalized', result.version.id);
    } catch (err) {
      // A refusal is final; anything else (the database went away) may be retried with the same URL.
      await this.deps.uploads.finish(upload.id, err instanceof DomainError ? 'errored' : 'pending', null);
      throw err;
    }
  }

  /** `PUT <hosted-json-state-upload-url>`: accepted once and not kept (outputs are read from the raw state). */
  async uploadJson(id: string, token: string): Promise<void> {
    if (!(await this.deps.uploads.claimJson(parseId(id), hashToken(token), this.deps.clock.now()))) throw uploadGone();
  }

  /** The current version's root outputs; a sensitive one's value is left out (read it by its id). */
  async currentOutputs(actor: Actor, workspaceId: string): Promise<TfeOutput[]> {
    requirePermission(actor, 'state:read');
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    if (!ws.currentVersionId) return [];
    return (await this.outputsOf(actor, ws.currentVersionId)).map((o) => (o.sensitive ? { ...o, value: null } : o));
  }

  /** One output with its value, sensitive or not: a caller who may read the state may read its outputs. */
  async output(actor: Actor, id: string): Promise<TfeOutput> {
    requirePermission(actor, 'state:read');
    const ref = parseOutputId(id);
    const found = ref && (await this.outputsOf(actor, ref.versionId)).find((o) => o.name === ref.name);
    if (!found) throw new NotFoundError(`state version output ${id} not found`, { code: 'output_not_found' });
    return found;
  }

  private async outputsOf(actor: Actor, versionId: string): Promise<TfeOutput[]> {
    const { state } = await this.deps.state.version(actor, versionId);
    await this.deps.workspaces.forState(actor, state.name, state.workspace);
    const { body } = await this.deps.state.downloadVersion(actor, state.id, versionId);
    return stateOutputs(parseStateDocument(body)).map((o) => ({ ...o, id: outputId(versionId, o.name), simpleType: tfeOutputType(o.type) }));
  }
}

function stored(ws: TfeWorkspaceRow, v: StateVersion): TfeStateVersionView {
  return {
    id: `sv-${v.id}`, workspaceId: ws.id, status: 'finalized', serial: v.serial, lineage: v.lineage, md5: v.md5, size: v.size,
    createdAt: v.createdAt, versionId: v.id, version: v.version,
  };
}

function announced(u: TfeStateUpload): TfeStateVersionView {
  return {
    id: `sv-${u.id}`, workspaceId: u.workspaceId, status: u.status === 'errored' ? 'errored' : 'pending', serial: u.serial, lineage: u.lineage,
    md5: u.md5, size: null, createdAt: u.createdAt, versionId: null, version: null,
  };
}

/** The bytes must be the state the caller announced: its MD5 and its serial. */
function assertDeclared(body: Buffer, declared: { serial: number; md5: string }): void {
  const md5 = md5Hex(body);
  if (md5 !== declared.md5) throw new InputError(`the state's MD5 is ${md5}, not the announced ${declared.md5}; nothing was stored`, { code: 'content_md5_mismatch' });
  const { serial } = identify(body, md5);
  if (serial !== declared.serial) throw new InputError(`the state's serial is ${serial}, not the announced ${declared.serial}; nothing was stored`, { code: 'state_serial_mismatch' });
}

function parseId(id: string): string {
  return id.startsWith('sv-') ? id.slice(3) : id;
}

const uploadGone = () => new NotFoundError('this upload URL is unknown, already used or expired; create the state version again', { code: 'upload_url_gone' });
