import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { scanJson } from './json-scan.js';

/** The parts of a Terraform state file (format v4) Atlantas reads; the rest is kept as sent. */
export interface StateDocument {
  version?: number;
  terraform_version?: string;
  serial: number;
  lineage: string;
  outputs?: Record<string, { value: unknown; type?: unknown; sensitive?: boolean }>;
  [field: string]: unknown;
}

/** What identifies one written state: its serial, lineage and the MD5 (hex) of its bytes. */
export interface StateIdentity {
  serial: number;
  lineage: string;
  md5: string;
}

/** A state body and the hex MD5 of its bytes, hashed once as it was read. */
export interface HashedBody {
  bytes: Buffer;
  md5: string;
}

/** A root module output, for `output_mapping` between projects. */
export interface StateOutput {
  name: string;
  value: unknown;
  /** Terraform's type constraint as JSON: "string", ["list","string"], ["object",{…}] */
  type: unknown;
  sensitive: boolean;
}

const SHAPE_HINT = 'send the state file terraform writes (a JSON object with a numeric "serial" and a string "lineage")';

/** Parses a whole state body (to read its outputs); InputError says what is wrong with it. Pure. */
export function parseStateDocument(body: Buffer | string): StateDocument {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : body);
  } catch {
    throw notJson();
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw notObject();
  const doc = value as Record<string, unknown>;
  checkIdentity(doc.serial, doc.lineage);
  return doc as StateDocument;
}

export function md5Hex(body: Buffer | string): string {
  return createHash('md5').update(body).digest('hex');
}

/**
 * Serial and lineage of a state body, validating that it is one JSON object without building it
 * (json-scan.ts: a push of megabytes reads nothing else). `md5` is the hex MD5 of the same bytes,
 * when the caller already hashed them while reading; otherwise it is computed here.
 */
export function identify(body: Buffer, md5 = md5Hex(body)): StateIdentity {
  const scan = scanJson(body, IDENTITY_KEYS);
  if (!scan) throw notJson();
  if (!scan.isObject) throw notObject();
  const { serial, lineage } = checkIdentity(scan.fields.get('serial'), scan.fields.get('lineage'));
  return { serial, lineage, md5 };
}

const IDENTITY_KEYS = ['serial', 'lineage'];
const notJson = () => new InputError(`state body is not valid JSON; ${SHAPE_HINT}`, { code: 'invalid_state' });
const notObject = () => new InputError(`state body is not a JSON object; ${SHAPE_HINT}`, { code: 'invalid_state' });

function checkIdentity(serial: unknown, lineage: unknown): { serial: number; lineage: string } {
  if (typeof serial !== 'number' || !Number.isSafeInteger(serial) || serial < 0) {
    throw new InputError(`state "serial" must be a non-negative integer; ${SHAPE_HINT}`, { code: 'invalid_state' });
  }
  if (typeof lineage !== 'string' || !lineage || lineage.length > 256) {
    throw new InputError(`state "lineage" must be a non-empty string of at most 256 characters; ${SHAPE_HINT}`, { code: 'invalid_state' });
  }
  return { serial, lineage };
}

/** The root outputs of a state document, sorted by name, with sensitive ones marked. Pure. */
export function stateOutputs(doc: Pick<StateDocument, 'outputs'>): StateOutput[] {
  const outputs = doc.outputs && typeof doc.outputs === 'object' ? doc.outputs : {};
  return Object.keys(outputs)
    .sort()
    .map((name) => {
      const o = outputs[name] ?? { value: null };
      return { name, value: o.value ?? null, type: o.type ?? null, sensitive: o.sensitive === true };
    });
}

